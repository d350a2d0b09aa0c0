/// Correctly rounded conversion of a decimal `significand × 10^exponent` to a Double, without
/// the C library in the common cases.
///
/// Why: `strtod` was over half the time of parsing an event (20 numbers of 17 digits each).
/// Two fast paths give exactly `strtod`'s result, and everything else is left to `strtod`:
/// - Clinger's: a significand below 2^53 and |exponent| ≤ 22 are both exact doubles, so one
///   IEEE multiplication or division rounds the exact value once.
/// - A 128-bit approximation of 5^exponent (truncated, from a table built once with exact
///   integer arithmetic) times the significand, as in Eisel–Lemire: the product is within two
///   units of its last bit of the exact value, so the rounding is decided unless the bits below
///   the 53-bit mantissa are within a few units of exactly half; then, and for results outside
///   the normal range, it returns `nil`.
enum DecimalToDouble {
    /// `significand × 10^exponent`, negated when `negative`, or `nil` when the caller must
    /// use `strtod` (the fast paths cannot decide the rounding or the result is not normal).
    @inline(__always)
    static func convert(significand w: UInt64, exponent q: Int, negative: Bool) -> Double? {
        if w == 0 { return negative ? -0.0 : 0.0 }
        if w <= 1 << 53 && q >= -22 && q <= 22 {
            let v = q >= 0 ? Double(w) * exactPowerOfTen(q) : Double(w) / exactPowerOfTen(-q)
            return negative ? -v : v
        }
        guard q >= PowersOfFive.minExponent && q <= PowersOfFive.maxExponent else { return nil }
        return approximate(w, q, negative)
    }

    /// 10^k for k in 0...22, all exact doubles (a switch of literals: no lazy global to check
    /// on every number).
    @inline(__always)
    static func exactPowerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    @inline(__always)
    private static func approximate(_ significand: UInt64, _ q: Int, _ negative: Bool) -> Double? {
        let power = PowersOfFive.entries[q - PowersOfFive.minExponent]
        let high = power.high, low = power.low, shift = power.shift
        let lz = significand.leadingZeroBitCount
        let w = significand << lz
        // Top 128 bits of the 192-bit product w × (high:low).
        let (h1, l1) = w.multipliedFullWidth(by: high)
        let (h2, _) = w.multipliedFullWidth(by: low)
        let (productLow, carry) = l1.addingReportingOverflow(h2)
        let productHigh = h1 &+ (carry ? 1 : 0)
        // The product is in [2^126, 2^128): keep 53 bits below its top bit.
        let top = productHigh >> 63 == 1 ? 127 : 126
        let k = top - 52  // bits below the mantissa: 75 or 74
        var mantissa = productHigh >> UInt64(k - 64)
        let restHigh = productHigh & ((1 << UInt64(k - 64)) - 1)
        let halfHigh: UInt64 = 1 << UInt64(k - 65)
        // The exact rest is in [rest, rest + 2): too close to half to decide.
        if (restHigh == halfHigh && productLow <= 4) || (restHigh == halfHigh - 1 && productLow >= UInt64.max - 3) {
            return nil
        }
        var binaryExponent = k + 64 + shift + q - lz
        if restHigh >= halfHigh { mantissa += 1 }
        if mantissa == 1 << 53 {
            mantissa = 1 << 52
            binaryExponent += 1
        }
        let biased = binaryExponent + 52 + 1023
        guard biased > 0 && biased < 2047 else { return nil }
        let bits = (negative ? 1 << 63 : 0) | UInt64(biased) << 52 | (mantissa & ((1 << 52) - 1))
        return Double(bitPattern: bits)
    }
}

/// 5^q for q in `minExponent...maxExponent` as T × 2^shift, T a 128-bit integer with its top
/// bit set and T ≤ 5^q·2^−shift < T + 1 (truncated), built from exact big-integer arithmetic.
struct PowersOfFive: Sendable {
    static let minExponent = -342
    static let maxExponent = 308
    /// One entry per exponent from `minExponent` (one load, one bounds check per number).
    static let entries = PowersOfFive().entries

    struct Entry: Sendable {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var shift: Int = 0
    }

    private var entries: [Entry]

    private init() {
        entries = Array(repeating: Entry(), count: Self.maxExponent - Self.minExponent + 1)
        // Negative q: floor(2^B / 5^n) by repeated exact division by 5 (floor of floor is
        // floor of the quotient), with B large enough to leave more than 128 bits.
        let b = 960
        var quotient = BigNatural(powerOfTwo: b)
        for n in 1...(-Self.minExponent) {
            quotient.divide(by: 5)
            store(quotient, exponentOfTwo: -b, at: -n)
        }
        var power = BigNatural(powerOfTwo: 0)
        for q in 0...Self.maxExponent {
            if q > 0 { power.multiply(by: 5) }
            store(power, exponentOfTwo: 0, at: q)
        }
    }

    /// Stores value × 2^exponentOfTwo ≈ 5^q as its top 128 bits.
    private mutating func store(_ value: BigNatural, exponentOfTwo: Int, at q: Int) {
        let length = value.bitLength
        let (h, l) = value.bits(from: length - 128)
        entries[q - Self.minExponent] = Entry(high: h, low: l, shift: length - 128 + exponentOfTwo)
    }
}

/// A minimal unsigned big integer (32-bit limbs, least significant first) for building
/// ``PowersOfFive``; not used on any hot path.
private struct BigNatural {
    var limbs: [UInt32]

    init(powerOfTwo e: Int) {
        limbs = Array(repeating: 0, count: e / 32 + 1)
        limbs[e / 32] = 1 << UInt32(e % 32)
    }

    var bitLength: Int {
        guard let top = limbs.lastIndex(where: { $0 != 0 }) else { return 0 }
        return top * 32 + 32 - limbs[top].leadingZeroBitCount
    }

    mutating func multiply(by m: UInt32) {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let v = UInt64(limbs[i]) * UInt64(m) + carry
            limbs[i] = UInt32(truncatingIfNeeded: v)
            carry = v >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
    }

    mutating func divide(by d: UInt32) {
        var remainder: UInt64 = 0
        for i in limbs.indices.reversed() {
            let v = remainder << 32 | UInt64(limbs[i])
            limbs[i] = UInt32(v / UInt64(d))
            remainder = v % UInt64(d)
        }
    }

    func bit(_ i: Int) -> UInt64 {
        guard i >= 0, i / 32 < limbs.count else { return 0 }
        return UInt64(limbs[i / 32] >> UInt32(i % 32)) & 1
    }

    /// floor(self / 2^start) mod 2^128 as (high, low); a negative start shifts left.
    func bits(from start: Int) -> (UInt64, UInt64) {
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<64 {
            l |= bit(start + i) << UInt64(i)
            h |= bit(start + 64 + i) << UInt64(i)
        }
        return (h, l)
    }
}
