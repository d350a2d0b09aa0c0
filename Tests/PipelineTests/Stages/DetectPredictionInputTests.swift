import OnlineML
@testable import Pipeline
import Testing

/// The detect stage's quick prediction reader takes exactly the records ``PredictionRecord``
/// reads, with the same source, error and loss, and leaves every other one to it.
@Suite struct DetectPredictionInputTests {
    private static let source = SourcePosition(topic: "quickstart.events", partition: 2, offset: 41)

    private func quick(_ text: String, _ topics: inout DetectPredictionInput.TopicCache) -> DetectPredictionInput? {
        Array(text.utf8).withUnsafeBytes { DetectPredictionInput.read($0, topics: &topics) }
    }

    @Test func readsWhatThePredictionReaderReads() throws {
        let records = [
            PredictionRecord(
                model: "m", modelKey: "m/3", modelVersion: 12, source: Self.source,
                input: SourcePosition(topic: "t.features", partition: 3, offset: 9), key: "k", time: .number(1.5e9),
                prediction: 1, probability: 0.73, label: 0, loss: 1.31, error: 1),
            PredictionRecord(
                model: "m", modelKey: "m", modelVersion: 0, source: Self.source, input: Self.source, key: nil,
                time: .string("2026-11-28"), prediction: -3.25, probability: nil, label: nil, loss: nil, error: nil),
        ]
        var topics = DetectPredictionInput.TopicCache()
        for record in records + records {
            let text = String(decoding: record.encoded(), as: UTF8.self)
            let input = try #require(quick(text, &topics))
            #expect(input.source == record.source)
            #expect(input.error == record.error)
            #expect(input.loss == record.loss)
        }
        // Members in another order, an unknown member, an escaped key and whitespace.
        let reordered = #" {"source":{"topic":"quickstart.events","partition":2,"offset":41},"x":[1,{"a":2}],"#
            + #""form\u0061t":"driftline.prediction","format_version":1,"model":"m","model_version":3,"#
            + #""prediction":0,"input":{"offset":1,"partition":0,"topic":"f"},"error":0,"loss":0.25} "#
        let input = try #require(quick(reordered, &topics))
        let full = try PredictionRecord(decoding: Array(reordered.utf8))
        #expect(input.source == full.source && input.error == full.error && input.loss == full.loss)
    }

    /// Anything the prediction reader rejects, and strings with escapes, are left to it.
    @Test(arguments: [
        "", "{", "null", #"{"format":"driftline.prediction","format_version":1}"#,
        #"{"format":"driftline.features","format_version":1,"model":"m","model_version":1,"prediction":1,"source":{"topic":"t","partition":0,"offset":1},"input":{"topic":"t","partition":0,"offset":1}}"#,
        #"{"format":"driftline.prediction","format_version":2,"model":"m","model_version":1,"prediction":1,"source":{"topic":"t","partition":0,"offset":1},"input":{"topic":"t","partition":0,"offset":1}}"#,
        #"{"format":"driftline.prediction","format_version":1,"model":7,"model_version":1,"prediction":1,"source":{"topic":"t","partition":0,"offset":1},"input":{"topic":"t","partition":0,"offset":1}}"#,
        #"{"format":"driftline.prediction","format_version":1,"model":"m","model_version":1,"prediction":1,"source":{"topic":"t","partition":0},"input":{"topic":"t","partition":0,"offset":1}}"#,
        #"{"format":"driftline.prediction","format_version":1,"model":"m","model_version":1,"prediction":1,"source":{"topic":"t","partition":0,"offset":1},"input":{"topic":"t","partition":0,"offset":1}} x"#,
        #"{"format":"driftline.prediction","format_version":1,"model":"m","model_version":1,"prediction":1,"source":{"topic":"t\u0031","partition":0,"offset":1},"input":{"topic":"t","partition":0,"offset":1}}"#,
    ])
    func leavesTheRestToThePredictionReader(_ text: String) {
        var topics = DetectPredictionInput.TopicCache()
        let input = quick(text, &topics)
        let full = try? PredictionRecord(decoding: Array(text.utf8))
        #expect(input == nil)
        if text.contains(#"t\u0031"#) {
            #expect(full?.source.topic == "t1")  // read by the full reader instead
        }
    }
}
