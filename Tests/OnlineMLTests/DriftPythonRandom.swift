/// Python's `random.Random(seed)` (MT19937 seeded by `init_by_array`) and the parts of
/// `random.choices` that River's doc examples use, so those examples' pinned outputs can be
/// checked here. Test-only: production code uses `SeededRandom`.
struct PythonRandom {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// `random.Random(seed)` for a non-negative seed below 2³².
    init(seed: UInt32) {
        initialize(19_650_218)
        let key: [UInt32] = [seed]
        var i = 1
        var j = 0
        for _ in 0..<max(624, key.count) {
            let previous = state[i - 1] ^ (state[i - 1] >> 30)
            state[i] = (state[i] ^ (previous &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1
            j += 1
            if i >= 624 {
                state[0] = state[623]
                i = 1
            }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            let previous = state[i - 1] ^ (state[i - 1] >> 30)
            state[i] = (state[i] ^ (previous &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= 624 {
                state[0] = state[623]
                i = 1
            }
        }
        state[0] = 0x8000_0000
        index = 624
    }

    private mutating func initialize(_ seed: UInt32) {
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908_B0DF : 0)
        }
        index = 0
    }

    mutating func nextUInt32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `random.random()`: 53 bits from two draws.
    mutating func random() -> Double {
        let a = Double(nextUInt32() >> 5)
        let b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random.choices(population, k=k)`.
    mutating func choices(_ population: [Double], k: Int) -> [Double] {
        let n = Double(population.count)
        return (0..<k).map { _ in population[Int((random() * n).rounded(.down))] }
    }

    /// `random.choices(population, weights=weights, k=k)`.
    mutating func choices(_ population: [Double], weights: [Double], k: Int) -> [Double] {
        var cumulative: [Double] = []
        var running = 0.0
        for weight in weights {
            running += weight
            cumulative.append(running)
        }
        let total = cumulative[cumulative.count - 1]
        let hi = population.count - 1
        return (0..<k).map { _ in
            let target = random() * total
            // bisect_right(cumulative, target, 0, hi)
            var low = 0
            var high = hi
            while low < high {
                let middle = (low + high) / 2
                if target < cumulative[middle] { high = middle } else { low = middle + 1 }
            }
            return population[low]
        }
    }

    /// `random.getrandbits(k)` for `k ≤ 32`.
    mutating func bits(_ k: Int) -> Int {
        Int(nextUInt32() >> UInt32(32 - k))
    }

    /// `random._randbelow(n)`: rejection sampling on `n.bit_length()` bits.
    mutating func below(_ n: Int) -> Int {
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = bits(k)
        while r >= n { r = bits(k) }
        return r
    }

    /// `random.sample(range(population), count)` for populations small enough that CPython
    /// uses its pool method (`population ≤ 21 + 4^⌈log4(3·count)⌉` when `count > 5`).
    mutating func sample(_ count: Int, from population: Int) -> [Int] {
        var pool = Array(0..<population)
        var result: [Int] = []
        for i in 0..<count {
            let j = below(population - i)
            result.append(pool[j])
            pool[j] = pool[population - i - 1]
        }
        return result
    }
}
