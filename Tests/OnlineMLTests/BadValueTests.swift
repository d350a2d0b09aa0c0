import OnlineML
import Testing

/// NaN, ±Inf, wrong types, overflow-sized numbers and missing targets are typed rejections that
/// leave the model unchanged and never produce a non-finite weight.
@Suite struct BadValueTests {
    func pipeline(_ scaling: TransformerConfiguration.Scaling = .standard) -> ModelPipeline {
        classifierPipeline(.init(scaling: scaling), .init(loss: .log, optimizer: .adaGrad()))
    }

    @Test func badEventsAreRejectedWithReasonsAndChangeNothing() throws {
        var p = pipeline()
        for e in mixedEvents(count: 50, seed: 2) { _ = try p.processOne(e) }
        let before = ModelDocument(name: "m", version: 1, pipeline: p).encoded()
        let cases: [(Event, EventRejection)] = [
            (Event(["x0": .number(.nan), "y": .bool(true)]), .nonFiniteValue(field: "x0")),
            (Event(["x0": .number(.infinity), "y": .bool(true)]), .nonFiniteValue(field: "x0")),
            (Event(["x0": .number(-.infinity), "y": .bool(true)]), .nonFiniteValue(field: "x0")),
            (Event(["x0": .number(1e308), "y": .bool(true)]), .valueOutOfRange(field: "x0", value: 1e308)),
            (Event(["x0": .string("12"), "y": .bool(true)]), .typeMismatch(field: "x0", expected: .numeric, found: "string")),
            (Event(["x0": .number(1), "y": .number(0.5)]), .invalidTarget(field: "y", detail: "0.5 is not 0 or 1")),
            (Event(["x0": .number(1), "y": .string("maybe")]),
             .invalidTarget(field: "y", detail: "\"maybe\" is not a boolean label (set a positive label)")),
        ]
        for (event, reason) in cases {
            #expect(throws: reason) { _ = try p.processOne(event) }
            #expect(!reason.description.isEmpty)
        }
        #expect(throws: EventRejection.missingTarget(field: "y")) { try p.learnOne(Event(["x0": .number(1)])) }
        #expect(ModelDocument(name: "m", version: 1, pipeline: p).encoded() == before)
        // No target: predicted, not learned, not an error.
        let unlabeled = try p.processOne(Event(["x0": .number(1), "y": .null]))
        #expect(!unlabeled.learned && unlabeled.target == nil)
    }

    @Test func regressionTargetsMustBeFiniteNumbers() throws {
        var p = ModelPipeline(configuration: .init(task: .regression, schema: Schema(target: "y")))
        #expect(throws: EventRejection.nonFiniteValue(field: "y")) { try p.learnOne(Event(["x": .number(1), "y": .number(.nan)])) }
        #expect(throws: EventRejection.valueOutOfRange(field: "y", value: 1e300)) {
            try p.learnOne(Event(["x": .number(1), "y": .number(1e300)]))
        }
        #expect(throws: EventRejection.invalidTarget(field: "y", detail: "a string is not a number")) {
            try p.learnOne(Event(["x": .number(1), "y": .string("3")]))
        }
        #expect(p.eventsLearned == 0 && p.vocabulary.count == 0)
    }

    /// Unscaled extreme (but allowed) magnitudes: weights stay finite; an update that would
    /// overflow is rejected with a reason instead.
    @Test func extremeMagnitudesNeverMakeWeightsNonFinite() throws {
        for scaling in [TransformerConfiguration.Scaling.none, .standard, .minMax] {
            for (_, learner) in classifierConfigurations + regressorConfigurations.map({ ($0.0, $0.1) }) {
                let task: LearningTask = learner.loss == .squared ? .regression : .binaryClassification
                var p = ModelPipeline(configuration: .init(task: task, schema: Schema(target: "y"), transformer: .init(scaling: scaling), learner: learner))
                var rng = TestRandom(seed: 4)
                var rejections = 0
                for t in 0..<200 {
                    let magnitude = [1.0, 1e50, 1e100, -1e100, 1e-300][t % 5]
                    let y: FieldValue = task == .regression ? .number(rng.uniform() * 1e100) : .bool(rng.uniform() < 0.5)
                    let e = Event(["a": .number(magnitude * rng.uniform()), "b": .number(magnitude), "y": y])
                    do { _ = try p.processOne(e) } catch { rejections += 1 }
                    #expect(p.learner.weights.allSatisfy { $0.isFinite } && p.learner.intercept.isFinite)
                }
                #expect(rejections < 200)
            }
        }
    }
}
