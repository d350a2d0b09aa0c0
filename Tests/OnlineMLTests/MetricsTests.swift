import Foundation
import OnlineML
import Testing

@Suite struct MetricsTests {
    let outcomes: [BinaryOutcome] = [
        .init(label: true, probability: 0.9), .init(label: false, probability: 0.8), .init(label: true, probability: 0.4),
        .init(label: false, probability: 0.1), .init(label: true, probability: 0.8), .init(label: false, probability: 0.3),
    ]

    @Test func classificationMetrics() {
        var accuracy = Accuracy(), precision = Precision(), recall = Recall(), f1 = F1Score(), logLoss = LogLoss()
        for o in outcomes {
            accuracy.update(o)
            precision.update(o)
            recall.update(o)
            f1.update(o)
            logLoss.update(o)
        }
        // Predicted: T T F F T F; truth: T F T F T F → TP 2, FP 1, FN 1, TN 2.
        #expect(accuracy.value == 4.0 / 6)
        #expect(precision.value == 2.0 / 3)
        #expect(recall.value == 2.0 / 3)
        #expect(f1.value == 2.0 / 3)
        let expected = -(log(0.9) + log(0.2) + log(0.4) + log(0.9) + log(0.8) + log(0.7)) / 6
        #expect(close(logLoss.value, expected, relative: 1e-12))
        var saturated = LogLoss()
        saturated.update(.init(label: false, probability: 1))
        #expect(saturated.value.isFinite && saturated.value > 30)
    }

    /// Exact AUC equals the brute-force pairwise count (ties half).
    @Test func rocAUCIsExact() {
        var rng = TestRandom(seed: 7)
        var auc = ROCAUC()
        var seen: [BinaryOutcome] = []
        for _ in 0..<300 {
            let o = BinaryOutcome(label: rng.uniform() < 0.4, probability: Double(rng.int(20)) / 20)
            auc.update(o)
            seen.append(o)
        }
        #expect(close(auc.value, bruteForceAUC(seen), relative: 1e-12))
        var perfect = ROCAUC()
        for o in [BinaryOutcome(label: true, probability: 0.9), .init(label: false, probability: 0.1)] { perfect.update(o) }
        #expect(perfect.value == 1)
    }

    func bruteForceAUC(_ o: [BinaryOutcome]) -> Double {
        var wins = 0.0, pairs = 0.0
        for p in o where p.label {
            for n in o where !n.label {
                pairs += 1
                wins += p.probability > n.probability ? 1 : (p.probability == n.probability ? 0.5 : 0)
            }
        }
        return wins / pairs
    }

    @Test func regressionMetrics() {
        let data: [RegressionOutcome] = [.init(target: 3, prediction: 2.5), .init(target: -0.5, prediction: 0),
                                         .init(target: 2, prediction: 2), .init(target: 7, prediction: 8)]
        var mae = MeanAbsoluteError(), rmse = RootMeanSquaredError(), r2 = RSquared()
        for o in data {
            mae.update(o)
            rmse.update(o)
            r2.update(o)
        }
        #expect(mae.value == 0.5)
        #expect(close(rmse.value, (1.5 / 4).squareRoot(), relative: 1e-15))
        // scikit-learn's r2_score for these values: 0.9486081370449679
        #expect(close(r2.value, 0.9486081370449679, relative: 1e-12))
    }

    /// A rolling metric equals the metric recomputed on the last `window` observations.
    @Test func rollingEqualsRecomputedWindow() {
        var rng = TestRandom(seed: 3)
        var rollingAUC = RollingMetric<ROCAUC>(windowSize: 25)
        var rollingF1 = RollingMetric<F1Score>(windowSize: 25)
        var rollingR2 = RollingMetric<RSquared>(windowSize: 10)
        var all: [BinaryOutcome] = []
        var allRegression: [RegressionOutcome] = []
        for _ in 0..<200 {
            let o = BinaryOutcome(label: rng.uniform() < 0.5, probability: Double(rng.int(10)) / 10)
            let r = RegressionOutcome(target: rng.uniform() * 10, prediction: rng.uniform() * 10)
            rollingAUC.update(o)
            rollingF1.update(o)
            rollingR2.update(r)
            all.append(o)
            allRegression.append(r)
            var auc = ROCAUC(), f1 = F1Score(), r2 = RSquared()
            for x in all.suffix(25) {
                auc.update(x)
                f1.update(x)
            }
            for x in allRegression.suffix(10) { r2.update(x) }
            #expect(close(rollingAUC.value, auc.value, relative: 1e-12))
            #expect(rollingF1.value == f1.value)
            #expect(close(rollingR2.value, r2.value, relative: 1e-6, absolute: 1e-9))
        }
        #expect(RollingMetric<Accuracy>.name == "rolling_accuracy")
    }
}
