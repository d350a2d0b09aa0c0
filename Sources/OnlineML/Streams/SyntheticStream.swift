/// A seeded generator of labelled events for benchmarks, tests and the quickstart, needing no
/// downloaded data. Same configuration and seed, same events, bit for bit.
///
/// Each event has `numericCount` numeric fields `x0 …` and one categorical field `cat0 …` per
/// entry of `cardinalities` (default 20 numeric; 2,500 + 1,500 + 1,000 = 5,000 categories).
/// - Numeric `x_j ~ N(μ_j, 1)`, `μ_j = 0` unless shifted (Box–Muller on `SeededRandom`).
/// - Category `k` of a field with `K` categories is drawn as `⌊K · u²⌋` (a skewed, heavy-head
///   distribution), named `"c<field>_<k>"`; a category shift mirrors it to `K − 1 − ⌊K · u²⌋`.
/// - Label: the hidden linear concept `s = Σ w_j x_j / sqrt(numericCount) + Σ_f e_f(k_f)`, with
///   weights `w_j ~ N(0, 1)` and per-category effects `e_f(k) ∈ [−0.5, 0.5)`, both derived from
///   `(seed, concept number)` by SplitMix64; `y = 1` iff `s > 0`, then flipped with probability
///   `labelNoise`.
/// - Drift: `.concept(at:)` draws a new concept from that event on; `.meanShift` adds `amount` to
///   the means of the given numeric fields; `.categoryShift` mirrors a categorical field.
///   Positions are 0-based indices of the first event of the new regime.
public struct SyntheticStream: Codable, Sendable, Equatable {
    /// A change in the generating process from event `at` on.
    public enum Drift: Codable, Sendable, Equatable {
        case concept(at: Int)
        case meanShift(at: Int, features: [Int], amount: Double)
        case categoryShift(at: Int, field: Int)
    }

    public struct Configuration: Codable, Sendable, Equatable {
        public var numericCount: Int
        public var cardinalities: [Int]
        public var labelNoise: Double
        public var drifts: [Drift]

        public init(
            numericCount: Int = 20, cardinalities: [Int] = [2500, 1500, 1000],
            labelNoise: Double = 0.1, drifts: [Drift] = []
        ) {
            precondition(numericCount >= 1 && cardinalities.allSatisfy { $0 >= 1 })
            precondition(labelNoise >= 0 && labelNoise <= 1)
            self.numericCount = numericCount
            self.cardinalities = cardinalities
            self.labelNoise = labelNoise
            self.drifts = drifts
        }
    }

    public let configuration: Configuration
    public let seed: UInt64
    private var random: SeededRandom
    /// Index of the next event.
    public private(set) var nextIndex: Int = 0
    private var conceptNumber: Int = 0
    private var weights: [Double] = []

    public init(configuration: Configuration = Configuration(), seed: UInt64) {
        self.configuration = configuration
        self.seed = seed
        self.random = SeededRandom(seed: seed)
        self.weights = Self.conceptWeights(
            seed: seed, concept: 0, count: configuration.numericCount)
    }

    /// The numeric field names, then the categorical ones, in event order.
    public var fieldNames: [String] {
        (0..<configuration.numericCount).map { "x\($0)" }
            + configuration.cardinalities.indices.map { "cat\($0)" }
    }

    /// The next `count` events.
    public mutating func next(_ count: Int) -> [SyntheticEvent] {
        (0..<count).map { _ in next() }
    }

    public mutating func next() -> SyntheticEvent {
        let index = nextIndex
        nextIndex += 1
        let concept = configuration.drifts.reduce(0) { count, drift in
            if case .concept(let at) = drift, at <= index { return count + 1 }
            return count
        }
        if concept != conceptNumber {
            conceptNumber = concept
            weights = Self.conceptWeights(
                seed: seed, concept: concept, count: configuration.numericCount)
        }

        var fields: [SyntheticEvent.Field] = []
        fields.reserveCapacity(configuration.numericCount + configuration.cardinalities.count)
        var score = 0.0
        for feature in 0..<configuration.numericCount {
            let x = random.nextGaussian() + meanShift(feature: feature, at: index)
            score += weights[feature] * x
            fields.append(SyntheticEvent.Field(name: "x\(feature)", value: .number(x)))
        }
        score /= Double(configuration.numericCount).squareRoot()
        for (field, cardinality) in configuration.cardinalities.enumerated() {
            let u = random.nextUnitDouble()
            var category = Swift.min(cardinality - 1, Int(Double(cardinality) * u * u))
            if isCategoryShifted(field: field, at: index) {
                category = cardinality - 1 - category
            }
            score += Self.categoryEffect(
                seed: seed, concept: concept, field: field, category: category)
            fields.append(
                SyntheticEvent.Field(name: "cat\(field)", value: .text("c\(field)_\(category)")))
        }
        var label = score > 0 ? 1 : 0
        if random.nextUnitDouble() < configuration.labelNoise {
            label = 1 - label
        }
        return SyntheticEvent(index: index, fields: fields, label: label)
    }

    private func meanShift(feature: Int, at index: Int) -> Double {
        var shift = 0.0
        for drift in configuration.drifts {
            if case .meanShift(let at, let features, let amount) = drift, at <= index,
                features.contains(feature)
            {
                shift += amount
            }
        }
        return shift
    }

    private func isCategoryShifted(field: Int, at index: Int) -> Bool {
        var shifted = false
        for drift in configuration.drifts {
            if case .categoryShift(let at, let shiftedField) = drift, at <= index,
                shiftedField == field
            {
                shifted.toggle()
            }
        }
        return shifted
    }

    /// The hidden weights of concept `concept`: standard normal draws from their own generator.
    static func conceptWeights(seed: UInt64, concept: Int, count: Int) -> [Double] {
        var generator = SeededRandom(seed: seed ^ (0xC0FF_EE00_0000_0000 &+ UInt64(concept)))
        return (0..<count).map { _ in generator.nextGaussian() }
    }

    /// A category's effect on the concept, in [−0.5, 0.5), computed from a hash so that 5,000
    /// categories need no table.
    static func categoryEffect(seed: UInt64, concept: Int, field: Int, category: Int) -> Double {
        var mixer = SplitMix64(
            state: seed ^ (UInt64(concept) &* 0x9E37_79B9_7F4A_7C15)
                ^ (UInt64(field) << 40) ^ UInt64(category))
        return Double(mixer.next() >> 11) * 0x1p-53 - 0.5
    }
}
