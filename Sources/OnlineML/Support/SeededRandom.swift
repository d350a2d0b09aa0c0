/// A seedable, deterministic random number generator: xoshiro256** (Blackman & Vigna), its
/// 256-bit state filled from the 64-bit seed by SplitMix64. Same seed, same sequence, on every
/// platform and Swift version, which the system generator does not promise.
///
/// Derived values are defined here, not by the standard library (whose algorithms may change):
/// - `nextUnitDouble()`: the top 53 bits of `next()` times 2⁻⁵³, uniform on [0, 1).
/// - `nextIndex(below:)`: Lemire's multiply-and-reject, unbiased on 0..<n.
/// - `nextGaussian()`: Box–Muller, see `NormalSampling.swift`.
/// - `sampleIndices(_:from:)`: Floyd's sampling of distinct indices.
///
/// The state is `Codable`, so a checkpointed generator continues the same sequence.
public struct SeededRandom: RandomNumberGenerator, Codable, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// A generator with the given raw state (not all zero), for known-answer tests.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        (s0, s1, s2, s3) = state
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let shifted = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= shifted
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// Uniform on [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform on `0..<bound` without modulo bias (Lemire 2019).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// `count` distinct indices from `0..<population`, uniformly over subsets (Floyd's
    /// algorithm: O(count) draws, O(count²) comparisons, no table of the population). The order
    /// of the result is not itself uniformly random; use it as a set.
    public mutating func sampleIndices(_ count: Int, from population: Int) -> [Int] {
        precondition(count >= 0 && count <= population)
        var chosen: [Int] = []
        chosen.reserveCapacity(count)
        for upper in (population - count)..<population {
            let candidate = nextIndex(below: upper + 1)
            chosen.append(chosen.contains(candidate) ? upper : candidate)
        }
        return chosen
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// SplitMix64 (Steele, Lea & Flood): expands one 64-bit seed into well-mixed words. Used to seed
/// `SeededRandom`, and usable alone where a tiny generator is enough.
public struct SplitMix64: RandomNumberGenerator, Codable, Sendable, Equatable {
    public private(set) var state: UInt64

    public init(state: UInt64) {
        self.state = state
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
