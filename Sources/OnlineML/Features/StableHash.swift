/// A hash that is the same in every process and on every platform (Swift's `Hasher` is seeded
/// per process, so it must never decide a feature's bucket).
///
/// FNV-1a over the UTF-8 bytes, then the 64-bit finalizer of MurmurHash3 (`fmix64`) so the low
/// bits used as a bucket are well mixed.
public enum StableHash {
    public static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    /// FNV-1a 64 of the bytes, continuing from `state`.
    @inlinable
    public static func fnv1a<S: Sequence>(_ bytes: S, state: UInt64 = fnvOffset) -> UInt64 where S.Element == UInt8 {
        var h = state
        for b in bytes {
            h ^= UInt64(b)
            h = h &* fnvPrime
        }
        return h
    }

    @inlinable
    public static func fmix64(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    /// FNV-1a 64 of a string's UTF-8 bytes, reading them in place when the string is contiguous.
    @inlinable
    public static func fnv1a(string: String, state: UInt64 = fnvOffset) -> UInt64 {
        if let h = string.utf8.withContiguousStorageIfAvailable({ fnv1a($0, state: state) }) { return h }
        return fnv1a(string.utf8, state: state)
    }

    /// The hash of `field=value`, computed without building the joined string.
    public static func featureHash(field: String, value: String) -> UInt64 {
        var h = fnv1a(string: field)
        h = (h ^ UInt64(UInt8(ascii: "="))) &* fnvPrime
        h = fnv1a(string: value, state: h)
        return fmix64(h)
    }
}
