/// Category value → feature id, for one categorical field: an open-addressing hash table with
/// the stable ``StableHash`` (FNV-1a + fmix64).
///
/// It replaces `Dictionary<String, Int>` on the hot path: hashing a short category with FNV is
/// several times cheaper than Swift's seeded SipHash, and the layout is the same in every
/// process. Entries keep insertion order; equality compares entries in that order.
struct CategoryTable: Sendable {
    private(set) var keys: [String] = []
    private(set) var ids: [Int] = []
    private var hashes: [UInt64] = []
    /// Entry index + 1 per bucket (0 = empty); capacity is a power of two, at most half full.
    private var buckets: [Int32] = Array(repeating: 0, count: 8)

    init() {}

    var count: Int { keys.count }

    static func hash(_ key: String) -> UInt64 {
        StableHash.fmix64(StableHash.fnv1a(string: key))
    }

    subscript(key: String) -> Int? {
        get {
            let h = Self.hash(key)
            let mask = buckets.count - 1
            var b = Int(truncatingIfNeeded: h) & mask
            while true {
                let entry = Int(buckets[b])
                if entry == 0 { return nil }
                if hashes[entry - 1] == h && keys[entry - 1] == key { return ids[entry - 1] }
                b = (b + 1) & mask
            }
        }
        set {
            guard let newValue else { preconditionFailure("CategoryTable does not remove entries") }
            let h = Self.hash(key)
            let mask = buckets.count - 1
            var b = Int(truncatingIfNeeded: h) & mask
            while true {
                let entry = Int(buckets[b])
                if entry == 0 { break }
                if hashes[entry - 1] == h && keys[entry - 1] == key {
                    ids[entry - 1] = newValue
                    return
                }
                b = (b + 1) & mask
            }
            keys.append(key)
            ids.append(newValue)
            hashes.append(h)
            buckets[b] = Int32(keys.count)
            if keys.count * 2 > buckets.count { grow() }
        }
    }

    private mutating func grow() {
        buckets = Array(repeating: 0, count: buckets.count * 2)
        let mask = buckets.count - 1
        for entry in hashes.indices {
            var b = Int(truncatingIfNeeded: hashes[entry]) & mask
            while buckets[b] != 0 { b = (b + 1) & mask }
            buckets[b] = Int32(entry + 1)
        }
    }
}

extension CategoryTable: Hashable {
    static func == (lhs: Self, rhs: Self) -> Bool { lhs.keys == rhs.keys && lhs.ids == rhs.ids }
    func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(ids)
    }
}
