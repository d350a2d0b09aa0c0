import Kafka
import OnlineML
import Pipeline
import Testing

/// The topic payloads: canonical bytes written directly equal the generic canonical encoder's,
/// and decoding gives the record back.
@Suite struct PayloadCodingTests {
    static let source = SourcePosition(topic: "t.events", partition: 2, offset: 41)

    static let features: [FeaturesRecord] = [
        FeaturesRecord(
            source: source, key: "id-\"7\"\n", time: .string("2024-01-01T00:00:00Z"), label: 1,
            fields: [EventField("x", .number(0.1)), EventField("c", .string("fr\u{1}")), EventField("b", .bool(true)),
                     EventField("n", .null), EventField("y", .number(1))],
            predict: [.init("b", -0.0), .init("c=fr\u{1}", 1), .init("x", 1e-05)],
            learn: [.init("b", 5.0), .init("x", 1e300)]),
        FeaturesRecord(source: source, key: nil, time: nil, label: nil, fields: [], predict: [], learn: nil),
    ]

    @Test(arguments: features)
    func featuresRecordsAreCanonicalAndRoundTrip(_ record: FeaturesRecord) throws {
        #expect(record.encoded() == CanonicalJSON.encodeBytes(record.json))
        #expect(try FeaturesRecord(decoding: record.encoded()) == record)
    }

    @Test(arguments: [
        PredictionRecord(
            model: "m", modelKey: "m/3", modelVersion: 12, source: source,
            input: SourcePosition(topic: "t.features", partition: 3, offset: 9), key: "k", time: .number(1.5e9),
            prediction: 1, probability: 0.73, label: 0, loss: 1.31, error: 1),
        PredictionRecord(
            model: "m", modelKey: "m", modelVersion: 0, source: source, input: source, key: nil, time: nil,
            prediction: -3.25, probability: nil, label: nil, loss: nil, error: nil),
    ])
    func predictionRecordsAreCanonicalAndRoundTrip(_ record: PredictionRecord) throws {
        #expect(record.encoded() == CanonicalJSON.encodeBytes(record.json))
        #expect(try PredictionRecord(decoding: record.encoded()) == record)
    }

    @Test func theLearnerCanSkipTheVectors() throws {
        let record = Self.features[0]
        let light = try FeaturesRecord(decoding: record.encoded(), skippingVectors: true)
        #expect(light.fields == record.fields && light.source == record.source && light.label == record.label)
        #expect(light.key == record.key && light.time == record.time)
        #expect(light.predict.isEmpty && light.learn == nil)
    }

    @Test(arguments: [
        "", "{", "{\"format\":\"driftline.features\",\"format_version\":1}",
        "{\"format\":\"driftline.features\",\"format_version\":1,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1},\"fields\":[[\"x\",[1]]]}",
        "{\"format\":\"driftline.features\",\"format_version\":1,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1},\"fields\":[]} x",
        "{\"format\":\"driftline.features\",\"format_version\":1,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1},\"fields\":[[\"x\",1,2]]}",
    ])
    func malformedFeaturesAreRefused(_ text: String) {
        #expect(throws: PayloadError.self) { try FeaturesRecord(decoding: Array(text.utf8)) }
    }

    @Test func membersMayComeInAnyOrderWithWhitespace() throws {
        let text = """
            { "fields" : [ ["x", 2] , ["c","a\\u00e9"] ], "source": {"partition": 1, "offset": 5, "topic": "e"},
              "format_version": 1, "format": "driftline.features", "extra": {"ignored": [1, {"a": null}]} }
            """
        let record = try FeaturesRecord(decoding: Array(text.utf8))
        #expect(record.fields == [EventField("x", .number(2)), EventField("c", .string("a\u{e9}"))])
        #expect(record.source == SourcePosition(topic: "e", partition: 1, offset: 5))
    }

    @Test func unknownFormatsAndVersionsAreRefused() {
        #expect(throws: PayloadError.self) { try FeaturesRecord(decoding: Array("{\"format\":\"other\"}".utf8)) }
        #expect(throws: PayloadError.self) {
            try FeaturesRecord(decoding: Array("{\"format\":\"driftline.features\",\"format_version\":2}".utf8))
        }
        #expect(throws: PayloadError.self) { try PredictionRecord(decoding: nil) }
    }
}
