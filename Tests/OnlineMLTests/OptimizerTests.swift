import Foundation
import OnlineML
import Testing

/// One step of each optimizer, checked against the formulas written out by hand.
@Suite struct OptimizerTests {
    @Test func sgdWithInverseScaling() {
        var o = SGD(learningRate: .inverseScaling(1, power: 0.5))
        var w = [1.0, 1.0]
        o.step(weights: &w, indices: [1], gradients: [2], count: 1)
        #expect(w == [1, -1])
        o.step(weights: &w, indices: [0], gradients: [2], count: 1)
        #expect(w[0] == 1 - 2 / 2.0.squareRoot())
        #expect(o.stepCount == 2)
    }

    @Test func adaGrad() {
        var o = AdaGrad(learningRate: .constant(0.1))
        o.reserve(featureCount: 1)
        var w = [0.0]
        o.step(weights: &w, indices: [0], gradients: [3], count: 1)
        #expect(w[0] == -0.1 / (9 + 1e-8).squareRoot() * 3)
        o.step(weights: &w, indices: [0], gradients: [4], count: 1)
        let first: Double = -0.1 / (9 + 1e-8).squareRoot() * 3
        let second: Double = 0.1 / (25 + 1e-8).squareRoot() * 4
        #expect(w[0] == first - second)
    }

    @Test func adamUsesGlobalStepForBiasCorrectionAndLeavesAbsentFeaturesAlone() {
        var o = Adam(learningRate: .constant(0.1))
        o.reserve(featureCount: 2)
        var w = [0.0, 0.0]
        o.step(weights: &w, indices: [0], gradients: [1], count: 1)
        // t = 1: m = 0.1, v = 0.001, η' = 0.1·√(1−0.999)/(1−0.9)
        let eta1 = 0.1 * pow(1 - 0.999, 0.5) / (1 - 0.9)
        #expect(close(w[0], -eta1 * 0.1 / (pow(0.001, 0.5) + 1e-8), relative: 1e-15))
        #expect(o.secondMoments[1] == 0)
        o.step(weights: &w, indices: [1], gradients: [1], count: 1)
        // Feature 1's first step happens at global step 2: bias correction with t = 2.
        let eta2 = 0.1 * pow(1 - pow(0.999, 2), 0.5) / (1 - pow(0.9, 2))
        #expect(close(w[1], -eta2 * 0.1 / (pow(0.001, 0.5) + 1e-8), relative: 1e-15))
        #expect(o.firstMoments[0] == 1 - 0.9)  // absent feature: no decay
    }

    @Test func ftrlProximal() {
        var o = FTRLProximal(alpha: 0.5, beta: 1, l1: 0.1, l2: 1)
        o.reserve(featureCount: 1)
        var w = [0.0]
        o.step(weights: &w, indices: [0], gradients: [2], count: 1)
        // z was 0 (≤ l1): w unchanged; σ = (√4 − 0)/0.5 = 4; z = 2 − 4·0 = 2; n = 4.
        #expect(o.z == [2] && o.n == [4] && w == [0])
        o.step(weights: &w, indices: [0], gradients: [0], count: 1)
        // w = −1/((1 + 2)/0.5 + 1)·(2 − 0.1) = −1.9/7
        #expect(close(w[0], -1.9 / 7, relative: 1e-15))
    }

    @Test func l2AppliesOnlyToPresentFeaturesAndInterceptIsPlainSGD() throws {
        var m = LinearModel(configuration: .init(loss: .squared, optimizer: .sgd(0.1), l2: 0.5, interceptLearningRate: .constant(0.01)))
        try m.learn(FeatureVector(indices: [0, 1], values: [1, 1]), target: 1)
        // g = 2(0 − 1) = −2; w = 0.2, b = 0.02.
        #expect(m.weights == [0.2, 0.2] && m.intercept == 0.02)
        try m.learn(FeatureVector(indices: [0], values: [1]), target: 0)
        // r = 0.2 + 0.02 = 0.22; g = 0.44; w0 −= 0.1·(0.44 + 0.5·0.2)
        #expect(close(m.weights[0], 0.2 - 0.1 * (0.44 + 0.1), relative: 1e-15))
        #expect(m.weights[1] == 0.2)
        #expect(close(m.intercept, 0.02 - 0.01 * 0.44, relative: 1e-15))
    }

    @Test func gradientClippingAndL1() throws {
        var m = LinearModel(configuration: .init(loss: .squared, optimizer: .sgd(1), l1: 0.3, clipGradient: 1))
        try m.learn(FeatureVector(indices: [0, 1], values: [1, -0.1]), target: 100)
        // g clipped to −1: w = [1, −0.1]; then L1 penalty 0.3: [0.7, 0].
        #expect(close(m.weights[0], 0.7, relative: 1e-15) && m.weights[1] == 0)
        #expect(m.intercept == 0.01)
    }

    @Test func lossesMatchRiver() {
        #expect(LossFunction.squared.gradient(target: 5, raw: -4) == -18)
        #expect(LossFunction.hinge.gradient(target: 1, raw: 0.2) == -1)
        #expect(LossFunction.hinge.loss(target: 1, raw: 0.2) == 0.8)
        #expect(LossFunction.log.gradient(target: 1, raw: 0) == -0.5)
        #expect(LossFunction.log.gradient(target: 0, raw: 100) == 1)
        #expect(saturatingSigmoid(31) == 1 && saturatingSigmoid(-31) == 0)
    }
}
