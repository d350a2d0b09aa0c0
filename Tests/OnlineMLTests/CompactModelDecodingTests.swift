import OnlineML
import Testing

/// The fast reader of compact model documents (per-feature members straight into arrays, hash
/// checked on the received bytes) must give exactly what the generic reader gives, and fall
/// back to it for every document it does not handle.
@Suite struct CompactModelDecodingTests {
    static let learners: [(String, LinearModelConfiguration)] = [
        ("sgd", .init(loss: .log, optimizer: .sgd(0.05))),
        ("adagrad+l1", .init(loss: .log, optimizer: .adaGrad(0.1), l2: 0.01, l1: 0.001)),
        ("adam", .init(loss: .log, optimizer: .adam(0.05))),
        ("ftrl", .init(loss: .log, optimizer: .ftrlProximal)),
    ]

    func document(_ learner: LinearModelConfiguration, categorical: TransformerConfiguration.CategoricalEncoding)
        throws -> ModelDocument
    {
        var pipeline = classifierPipeline(.init(scaling: .standard, categorical: categorical), learner)
        for event in mixedEvents(count: 300, seed: 7) { _ = try pipeline.processOne(event) }
        return ModelDocument(
            name: "m", version: 3, parentVersion: 2, pipeline: pipeline,
            trainingOffsets: [TrainingOffsetRange(topic: "t", partition: 1, first: 0, last: 299)],
            metrics: ["accuracy": 0.5], createdAt: "2026-11-28T00:00:00Z")
    }

    @Test(arguments: 0..<4, [false, true])
    func roundTripsBitForBitLikeTheGenericReader(_ learner: Int, hashing: Bool) throws {
        let original = try document(Self.learners[learner].1, categorical: hashing ? .hashing(bits: 6) : .oneHot)
        let text = original.encoded()
        let fast = try ModelDocument(decoding: text)
        let generic = try ModelDocument(json: try CanonicalJSON.parse(text))
        #expect(fast.encoded() == text, "\(Self.learners[learner].0)")
        #expect(generic.encoded() == text)
        #expect(fast.pipeline.learner.weights.map(\.bitPattern) == original.pipeline.learner.weights.map(\.bitPattern))
        // Both continue learning identically.
        var a = fast.pipeline, b = original.pipeline
        for event in mixedEvents(count: 50, seed: 8) {
            #expect(try a.processOne(event).prediction.value.bitPattern == (try b.processOne(event)).prediction.value.bitPattern)
        }
    }

    @Test func aDocumentWithWhitespaceOrAnotherKeyOrderIsReadAndItsHashChecked() throws {
        let original = try document(Self.learners[1].1, categorical: .oneHot)
        let text = original.encoded()
        // Whitespace: not compact, the generic reader takes it.
        let spaced = text.replacingOccurrences(of: ",\"weights\":", with: ", \"weights\": ")
        #expect(try ModelDocument(decoding: spaced).contentHash == original.contentHash)
        // Compact, but `weights` (the last key) moved to the front: the bytes no longer hash to
        // the stated value, the re-encoded content does.
        let json = try CanonicalJSON.parse(text)
        let weights = CanonicalJSON.encode(try #require(json["weights"]))
        #expect(text.hasSuffix(",\"weights\":\(weights)}"))
        let moved = "{\"weights\":\(weights)," + text.dropFirst().replacingOccurrences(of: ",\"weights\":\(weights)", with: "")
        #expect(moved != text && moved.utf8.count == text.utf8.count)
        let reordered = try ModelDocument(decoding: moved)
        #expect(reordered.contentHash == original.contentHash)
        #expect(reordered.encoded() == text)
    }

    @Test func aChangedWeightFailsTheHashCheck() throws {
        let original = try document(Self.learners[0].1, categorical: .oneHot)
        let text = original.encoded()
        let weight = try #require(original.pipeline.learner.weights.first)
        let written = "\"\(original.pipeline.vocabulary.names[0])\":\(weight)"
        #expect(text.contains(written))
        let tampered = text.replacingOccurrences(of: written, with: "\"\(original.pipeline.vocabulary.names[0])\":\(weight + 1)")
        #expect(throws: ModelDocumentError.self) { try ModelDocument(decoding: tampered) }
        let unchecked = try ModelDocument(decoding: tampered, verifyHash: false)
        #expect(unchecked.pipeline.learner.weights[0] == weight + 1)
    }

    @Test func featureNamesWithEscapesAndDuplicateKeys() throws {
        var pipeline = classifierPipeline(.init(scaling: .standard), .init(loss: .log, optimizer: .adaGrad(0.1)))
        for k in 0..<20 {
            var event = Event()
            event.append("city", .string(k % 2 == 0 ? "say \"hi\"\\\n" : "plain\(k % 5)"))
            event.append("x", .number(Double(k)))
            event.append("y", .bool(k % 3 == 0))
            _ = try pipeline.processOne(event)
        }
        let original = ModelDocument(name: "esc", version: 1, pipeline: pipeline)
        let text = original.encoded()
        #expect(text.contains(#"say \"hi\"\\\n"#))
        let decoded = try ModelDocument(decoding: text)
        #expect(decoded.encoded() == text)

        // A duplicated key in `weights` is an error, as in the generic reader.
        let name = "\"x\":"
        let start = try #require(text.range(of: "\"weights\":{"))
        let member = try #require(text[start.upperBound...].range(of: name))
        let end = try #require(text[member.upperBound...].firstIndex { $0 == "," || $0 == "}" })
        let entry = String(text[member.lowerBound..<end])
        let duplicated = text.replacingCharacters(in: member.lowerBound..<end, with: entry + "," + entry)
        #expect(throws: ModelDocumentError.self) { try ModelDocument(decoding: duplicated, verifyHash: false) }
    }

    @Test func largeHashedModelRoundTrips() throws {
        // Enough names to use the background hash (documents over 1 MiB).
        var pipeline = classifierPipeline(.init(scaling: .standard, categorical: .hashing(bits: 16)), .init(loss: .log, optimizer: .adam(0.05)))
        for k in 0..<6000 {
            var event = Event()
            for f in 0..<8 { event.append("c\(f)", .string("v\(k * 8 + f)")) }
            event.append("y", .bool(k % 2 == 0))
            _ = try pipeline.processOne(event)
        }
        let original = ModelDocument(name: "big", version: 1, pipeline: pipeline)
        let text = original.encoded()
        #expect(text.utf8.count > 1 << 20)
        let decoded = try ModelDocument(decoding: text)
        #expect(decoded.encoded() == text)
        #expect(decoded.pipeline.vocabulary.count == original.pipeline.vocabulary.count)
    }
}
