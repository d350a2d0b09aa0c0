import OnlineML
import Testing

/// River's `checks`, run over every transformer configuration × every learner configuration:
/// the generic properties every estimator must have.
@Suite struct ContractChecks {
    static let cases: [(String, TransformerConfiguration, String, LinearModelConfiguration)] =
        transformerConfigurations.flatMap { t in classifierConfigurations.map { l in (t.0, t.1, l.0, l.1) } }

    static let events = mixedEvents(count: 240, seed: 42)

    static func document(_ p: ModelPipeline) -> String {
        ModelDocument(name: "m", version: 1, pipeline: p).encoded()
    }

    static func permuted(_ e: Event, _ rng: inout TestRandom) -> Event {
        var fields = e.fields
        for i in stride(from: fields.count - 1, to: 0, by: -1) { fields.swapAt(i, rng.int(i + 1)) }
        return Event(fields: fields)
    }

    /// Learning never mutates the caller's events, and predicting changes no model state.
    @Test(arguments: 0..<cases.count)
    func inputUnchangedAndPredictIsPure(_ index: Int) throws {
        let (_, t, _, l) = Self.cases[index]
        var p = classifierPipeline(t, l)
        let copy = Self.events
        for e in Self.events.prefix(120) { _ = try p.processOne(e) }
        #expect(copy == Self.events)
        let before = Self.document(p)
        for e in Self.events.suffix(60) { _ = try p.predictOne(e) }
        #expect(Self.document(p) == before)
    }

    /// Field order never matters, bit for bit: with the same state a permuted event gives the
    /// same prediction, and a whole run on permuted events gives the same model (features are
    /// summed in id order, and features first seen together get ids in name order).
    @Test(arguments: 0..<cases.count)
    func featureOrderIrrelevant(_ index: Int) throws {
        let (_, t, _, l) = Self.cases[index]
        var rng = TestRandom(seed: 5)
        var a = classifierPipeline(t, l)
        var b = classifierPipeline(t, l)
        for e in Self.events {
            let shuffled = Self.permuted(e, &rng)
            let pa = try a.predictOne(e), pa2 = try a.predictOne(shuffled)
            #expect(bits(pa.raw) == bits(pa2.raw))
            let oa = try a.processOne(e)
            let ob = try b.processOne(shuffled)
            #expect(bits(oa.prediction.raw) == bits(ob.prediction.raw))
        }
        #expect(Self.document(a) == Self.document(b))
    }

    /// The prequential step (one fused pass) predicts exactly what `predictOne` predicts.
    @Test(arguments: 0..<cases.count)
    func prequentialPredictionEqualsPredictOne(_ index: Int) throws {
        let (_, t, _, l) = Self.cases[index]
        var p = classifierPipeline(t, l)
        for e in Self.events {
            let alone = try p.predictOne(e)
            let outcome = try p.processOne(e)
            #expect(bits(alone.raw) == bits(outcome.prediction.raw))
        }
    }

    /// Features may appear and disappear: no rejection, finite weights, and a step touches only
    /// the features present in the event.
    @Test(arguments: 0..<cases.count)
    func featuresAppearAndDisappear(_ index: Int) throws {
        let (_, t, _, l) = Self.cases[index]
        var p = classifierPipeline(t, l)
        for e in Self.events {
            let before = p.learner.weights
            var present = FeatureVector()
            var probe = p.transformer
            var vocabulary = p.vocabulary
            try probe.learnTransformOne(e, into: &present, vocabulary: &vocabulary)
            _ = try p.processOne(e)
            for j in before.indices where !present.indices.contains(j) {
                #expect(bits(p.learner.weights[j]) == bits(before[j]), "feature \(p.vocabulary.names[j]) moved while absent")
            }
        }
        #expect(p.learner.weights.allSatisfy { $0.isFinite })
        #expect(p.vocabulary.names.contains("late"))
    }

    /// Two runs over the same events give bit-identical models (same content hash).
    @Test(arguments: 0..<cases.count)
    func seededRunsRepeatBitIdentically(_ index: Int) throws {
        let (_, t, _, l) = Self.cases[index]
        var a = classifierPipeline(t, l)
        var b = classifierPipeline(t, l)
        for e in mixedEvents(count: 240, seed: 9) { _ = try a.processOne(e) }
        for e in mixedEvents(count: 240, seed: 9) { _ = try b.processOne(e) }
        #expect(a.learner.weights.map(bits) == b.learner.weights.map(bits))
        #expect(ModelDocument(name: "m", version: 1, pipeline: a).contentHash
            == ModelDocument(name: "m", version: 1, pipeline: b).contentHash)
    }

    /// save → load mid-stream continues bit-identically (predictions and final document).
    @Test(arguments: 0..<cases.count)
    func saveLoadRoundTripsMidStream(_ index: Int) throws {
        let (_, t, _, l) = Self.cases[index]
        var original = classifierPipeline(t, l)
        for e in Self.events.prefix(130) { _ = try original.processOne(e) }
        let saved = ModelDocument(name: "m", version: 3, parentVersion: 2, pipeline: original).encoded()
        var restored = try ModelDocument(decoding: saved).pipeline
        #expect(ModelDocument(name: "m", version: 3, parentVersion: 2, pipeline: restored).encoded() == saved)
        for e in Self.events.dropFirst(130) {
            let a = try original.processOne(e)
            let b = try restored.processOne(e)
            #expect(bits(a.prediction.raw) == bits(b.prediction.raw))
        }
        #expect(Self.document(original) == Self.document(restored))
    }

    /// The same round trip for every regression learner.
    @Test(arguments: 0..<regressorConfigurations.count)
    func regressorSaveLoadRoundTrip(_ index: Int) throws {
        let l = regressorConfigurations[index].1
        let events = mixedEvents(count: 200, seed: 17, regression: true)
        var original = ModelPipeline(configuration: .init(task: .regression, schema: Schema(target: "y"), learner: l))
        for e in events.prefix(100) { _ = try original.processOne(e) }
        var restored = try ModelDocument(decoding: ModelDocument(name: "r", version: 1, pipeline: original).encoded()).pipeline
        for e in events.dropFirst(100) {
            #expect(bits(try original.processOne(e).prediction.raw) == bits(try restored.processOne(e).prediction.raw))
        }
        #expect(Self.document(original) == Self.document(restored))
    }
}
