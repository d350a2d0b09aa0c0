import Foundation
import OnlineML
import Testing

/// River 0.26.1 numbers from `Tests/Fixtures/REFERENCE.md`, reproduced prequentially
/// (predict, then learn) with StandardScaler → linear model.
@Suite struct ReferenceNumbersTests {
    struct ClassificationRun {
        var accuracy: Double
        var logLoss: Double
        var pipeline: ModelPipeline
    }

    static func runPhishing(_ learner: LinearModelConfiguration) throws -> ClassificationRun {
        var pipeline = ModelPipeline(configuration: .init(
            task: .binaryClassification, schema: Schema(target: "y"),
            transformer: .init(scaling: .standard), learner: learner))
        var accuracy = Accuracy()
        var logLoss = LogLoss()
        for event in try fixtureEvents("phishing.jsonl") {
            let outcome = try pipeline.processOne(event)
            let truth = outcome.target == 1
            accuracy.update(BinaryOutcome(label: truth, probability: outcome.prediction.value))
            logLoss.update(BinaryOutcome(label: truth, probability: outcome.prediction.value))
        }
        return ClassificationRun(accuracy: accuracy.value, logLoss: logLoss.value, pipeline: pipeline)
    }

    static let phishingConfigs: [(String, LinearModelConfiguration, Double, Double, Double)] = [
        ("SGD(0.1)", .init(loss: .log, optimizer: .sgd(0.1)), 0.889600, 0.270594, -0.400498),
        ("SGD(0.01)", .init(loss: .log, optimizer: .sgd(0.01)), 0.892800, 0.330112, -0.354066),
        ("SGD(0.1) l2", .init(loss: .log, optimizer: .sgd(0.1), l2: 0.001), 0.889600, 0.270594, -0.398397),
        ("Adam()", .init(loss: .log, optimizer: .adam()), 0.877600, 0.313487, -0.437177),
        ("Adam(0.01)", .init(loss: .log, optimizer: .adam(0.01)), 0.894400, 0.285686, -0.387957),
        ("AdaGrad()", .init(loss: .log, optimizer: .adaGrad()), 0.892800, 0.283890, -0.365425),
    ]

    @Test(arguments: 0..<6)
    func phishing(_ index: Int) throws {
        let (name, config, accuracy, logLoss, intercept) = Self.phishingConfigs[index]
        let run = try Self.runPhishing(config)
        #expect(printedEqual(run.accuracy, accuracy), "\(name) accuracy \(run.accuracy)")
        #expect(printedEqual(run.logLoss, logLoss), "\(name) logloss \(run.logLoss)")
        #expect(printedEqual(run.pipeline.learner.intercept, intercept), "\(name) intercept \(run.pipeline.learner.intercept)")
    }

    @Test func phishingFinalWeightsSGD() throws {
        let run = try Self.runPhishing(.init(loss: .log, optimizer: .sgd(0.1)))
        let expected: [(String, Double)] = [
            ("empty_server_form_handler", -1.8020681139138652),
            ("popup_window", -1.9129723543042834),
            ("https", -1.242054777443942),
            ("request_from_other_domain", -0.5514160814020197),
            ("anchor_from_other_domain", 0.2467407702650704),
            ("is_popular", 0.176126810771945),
            ("long_url", -0.4089115951955724),
            ("age_of_domain", -0.18306008536055804),
            ("ip_in_url", 0.17536770195408036),
        ]
        for (name, weight) in expected {
            #expect(close(run.pipeline.weight(name), weight, relative: 1e-9), "\(name): \(run.pipeline.weight(name)) vs \(weight)")
        }
        // Features first seen together get ids in name order.
        #expect(run.pipeline.vocabulary.names == expected.map(\.0).sorted())
    }

    static let trumpConfigs: [(String, LinearModelConfiguration, Double, Double, Double)] = [
        ("SGD(0.01)", .init(loss: .squared, optimizer: .sgd(0.01)), 1.314548, 3.911981, 12.148984),
        ("SGD(0.01) intercept_lr 0.1", .init(loss: .squared, optimizer: .sgd(0.01), interceptLearningRate: .constant(0.1)),
         0.558735, 2.235314, 35.617671),
        ("AdaGrad()", .init(loss: .squared, optimizer: .adaGrad()), 2.488304, 6.454699, 39.280193),
        ("Adam()", .init(loss: .squared, optimizer: .adam()), 2.104519, 6.112526, 29.343609),
    ]

    @Test(arguments: 0..<4)
    func trumpApproval(_ index: Int) throws {
        let (name, config, mae, rmse, intercept) = Self.trumpConfigs[index]
        var pipeline = ModelPipeline(configuration: .init(
            task: .regression, schema: Schema(target: "y"), transformer: .init(scaling: .standard), learner: config))
        var maeMetric = MeanAbsoluteError()
        var rmseMetric = RootMeanSquaredError()
        for event in try fixtureEvents("trump_approval.jsonl") {
            let outcome = try pipeline.processOne(event)
            let o = RegressionOutcome(target: outcome.target!, prediction: outcome.prediction.value)
            maeMetric.update(o)
            rmseMetric.update(o)
        }
        #expect(printedEqual(maeMetric.value, mae), "\(name) MAE \(maeMetric.value)")
        #expect(printedEqual(rmseMetric.value, rmse), "\(name) RMSE \(rmseMetric.value)")
        #expect(printedEqual(pipeline.learner.intercept, intercept), "\(name) intercept \(pipeline.learner.intercept)")
    }
}
