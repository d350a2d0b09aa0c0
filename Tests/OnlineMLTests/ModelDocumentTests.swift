import OnlineML
import Testing

@Suite struct ModelDocumentTests {
    func trained() throws -> ModelPipeline {
        var p = classifierPipeline(.init(scaling: .standard, missing: .mean, missingIndicator: true), .init(loss: .log, optimizer: .adam(0.05)))
        for e in mixedEvents(count: 100, seed: 1) { _ = try p.processOne(e) }
        return p
    }

    @Test func documentIsSelfDescribing() throws {
        let doc = ModelDocument(
            name: "phishing", version: 7, parentVersion: 6, pipeline: try trained(),
            trainingOffsets: [TrainingOffsetRange(topic: "phishing.events", partition: 0, first: 0, last: 99)],
            metrics: ["accuracy": 0.75], createdAt: "2026-11-28T00:00:00Z")
        let json = try CanonicalJSON.parse(doc.encoded())
        #expect(json["format"] == .string("driftline.model"))
        #expect(json["format_version"] == .integer(1))
        #expect(json["version"] == .integer(7) && json["parent_version"] == .integer(6))
        #expect(json["hyper_parameters"]?["learner"]?["optimizer"]?["name"] == .string("adam"))
        #expect(json["optimizer_state"]?["step_count"] == .integer(100))
        #expect(json["training_offsets"]?.arrayValue?.first?["last"] == .integer(99))
        #expect(json["weights"]?["color=red"]?.doubleValue != nil)
        #expect(json["content_hash"]?.stringValue?.hasPrefix("sha256:") == true)
        #expect(!doc.encoded().contains(" "))
    }

    @Test func hashExcludesCreatedAtAndDetectsTampering() throws {
        let p = try trained()
        let a = ModelDocument(name: "m", version: 1, pipeline: p, createdAt: "2026-11-28T00:00:00Z")
        let b = ModelDocument(name: "m", version: 1, pipeline: p, createdAt: "2026-11-28T01:00:00Z")
        #expect(a.contentHash == b.contentHash)
        #expect(ModelDocument(name: "m", version: 2, pipeline: p).contentHash != a.contentHash)
        let tampered = a.encoded().replacingOccurrences(of: "\"events_learned\":100", with: "\"events_learned\":101")
        #expect(tampered != a.encoded())
        #expect(throws: ModelDocumentError.self) { try ModelDocument(decoding: tampered) }
        #expect(try ModelDocument(decoding: tampered, verifyHash: false).pipeline.eventsLearned == 101)
        #expect(try ModelDocument(decoding: a.encoded()).createdAt == "2026-11-28T00:00:00Z")
    }

    /// The direct writer (one tree, each member encoded once) gives the generic canonical
    /// encoding of the full document, with and without the optional members.
    @Test func encodedBytesAreTheCanonicalEncodingOfTheDocument() throws {
        let p = try trained()
        let documents = [
            ModelDocument(name: "m", version: 1, pipeline: p),
            ModelDocument(
                name: "m/\"3\"", version: 4, parentVersion: 3, pipeline: p,
                trainingOffsets: [TrainingOffsetRange(topic: "e", partition: 0, first: 0, last: 99)],
                metrics: ["accuracy": 0.75, "log_loss": 0.5], createdAt: "2026-11-28T00:00:00Z",
                lineage: .object(["version_events": .integer(12), "started_at_version": .null])),
        ]
        for document in documents {
            #expect(document.encodedBytes() == CanonicalJSON.encodeBytes(document.json))
            #expect(document.encoded() == CanonicalJSON.encode(document.json))
        }
    }

    /// The hashed content is written directly (no tree for the per-feature members); it must be
    /// the canonical encoding of ``ModelDocument/hashedContent`` for every optimizer (their state
    /// arrays' names sort among `name` and `step_count`: FTRL's `n` before `name`), with L1
    /// state, for regression, and for a model that has seen nothing.
    @Test func hashedContentBytesAreTheCanonicalEncodingOfTheHashedContent() throws {
        let transformer = TransformerConfiguration(scaling: .standard, missing: .mean, missingIndicator: true)
        let learners: [LinearModelConfiguration] = [
            .init(loss: .log, optimizer: .sgd(0.05)),
            .init(loss: .log, optimizer: .adaGrad(0.1), l2: 0.01),
            .init(loss: .log, optimizer: .adam(0.05), l1: 0.001),
            .init(loss: .log, optimizer: .ftrlProximal(alpha: 0.1, beta: 1, l1: 0.01, l2: 0.01)),
        ]
        var pipelines = learners.map { classifierPipeline(transformer, $0) }
        pipelines.append(ModelPipeline(configuration: .init(
            task: .regression, schema: Schema(target: "y"), transformer: transformer, learner: .init(l1: 0.01))))
        for index in pipelines.indices where index > 0 {
            for e in mixedEvents(count: 150, seed: UInt64(index), regression: index == pipelines.count - 1) {
                _ = try pipelines[index].processOne(e)
            }
        }
        for pipeline in pipelines {
            let document = ModelDocument(
                name: "m", version: 2, parentVersion: 1, pipeline: pipeline,
                trainingOffsets: [TrainingOffsetRange(topic: "e", partition: 1, first: 5, last: 154)],
                metrics: ["accuracy": 0.5, "bad": .nan], createdAt: "2026-11-28T00:00:00Z",
                lineage: .object(["version_events": .integer(3)]))
            let hashed = document.hashedContentBytes()
            #expect(hashed == CanonicalJSON.encodeBytes(document.hashedContent))
            #expect(document.contentHash == "sha256:" + SHA256.hexDigest(CanonicalJSON.encodeBytes(document.hashedContent)))
            #expect(document.encodedBytes() == CanonicalJSON.encodeBytes(document.json))
            let back = try ModelDocument(decoding: document.encodedBytes())
            #expect(back.hashedContentBytes() == hashed)
        }
    }

    /// Per-feature members and categories go through a 1 KB stack buffer in runs: names and
    /// categories shorter than, as long as and longer than it, and ones that need escapes,
    /// give the canonical encoding.
    @Test func longAndEscapedNamesAreEncodedCanonically() throws {
        var pipeline = ModelPipeline(configuration: .init(
            task: .binaryClassification, schema: Schema(target: "y", categorical: ["c"]),
            transformer: .init(scaling: .standard), learner: .init(loss: .log, optimizer: .adam(0.05), l1: 0.001)))
        let names = ["plain", "q\"uote", "back\\slash", "nl\n", "\u{1}ctl", "\u{e9}\u{1F600}"]
            + [1000, 1020, 1021, 1022, 1023, 1024, 1025, 2100].map { String(repeating: "n", count: $0) }
        var rng = TestRandom(seed: 3)
        for t in 0..<200 {
            var e = Event()
            e.append(names[t % names.count] + "#", .number(rng.uniform()))
            e.append("c", .string(names[(t * 7) % names.count]))
            e.append("y", .number(t % 3 == 0 ? 1 : 0))
            _ = try pipeline.processOne(e)
        }
        let document = ModelDocument(name: "m", version: 1, pipeline: pipeline, createdAt: "2026-11-28T00:00:00Z")
        #expect(document.hashedContentBytes() == CanonicalJSON.encodeBytes(document.hashedContent))
        #expect(document.encodedBytes() == CanonicalJSON.encodeBytes(document.json))
    }

    @Test func fixtureModelRoundTripsAndContinuesLikeRiver() throws {
        // Learn half of Phishing, save, load, learn the rest: the final weights are River's.
        let events = try fixtureEvents("phishing.jsonl")
        var p = ModelPipeline(configuration: .init(
            task: .binaryClassification, schema: Schema(target: "y"), learner: .init(loss: .log, optimizer: .sgd(0.1))))
        for e in events.prefix(600) { _ = try p.processOne(e) }
        var restored = try ModelDocument(decoding: ModelDocument(name: "phishing", version: 1, pipeline: p).encoded()).pipeline
        for e in events.dropFirst(600) { _ = try restored.processOne(e) }
        #expect(close(restored.weight("popup_window"), -1.9129723543042834, relative: 1e-9))
        #expect(printedEqual(restored.learner.intercept, -0.400498))
    }

    @Test func rejectsForeignDocuments() {
        #expect(throws: ModelDocumentError.self) { try ModelDocument(decoding: #"{"format":"other"}"#) }
        #expect(throws: ModelDocumentError.self) { try ModelDocument(decoding: #"{"format":"driftline.model","format_version":99}"#) }
    }
}
