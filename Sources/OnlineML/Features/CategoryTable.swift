/// Category value → feature id, for one categorical field: an open-addressing hash table with
/// the stable ``StableHash`` (FNV-1a + fmix64).
///
/// It replaces `Dictionary<String, Int>` on the hot path: hashing a short category with FNV is
/// several times cheaper than Swift's seeded SipHash, and the layout is the same in every
/// process. Entries keep insertion order; equality compares entries in that order.
struct CategoryTable: Sendable {
    /// One slot of the open-addressing array: the high 32 bits of the key's hash and its
    /// entry index + 1 (0 = empty). Eight bytes, so the table of 5,000 categories stays small
    /// in the cache (the lookup is a cache miss on the hot path); a lookup touches one slot and
    /// then only the key to confirm it.
    struct Slot: Sendable {
        var tag: UInt32 = 0
        var entry: UInt32 = 0
    }

    private(set) var keys: [String] = []
    private(set) var ids: [Int] = []
    /// Power-of-two capacity, at most half full.
    private var slots: [Slot] = Array(repeating: Slot(), count: 8)

    init() {}

    /// Room for `count` entries without regrowth (a restored vocabulary can be large).
    init(minimumCapacity count: Int) {
        var capacity = 8
        while capacity < 2 * count { capacity *= 2 }
        slots = Array(repeating: Slot(), count: capacity)
        keys.reserveCapacity(count)
        ids.reserveCapacity(count)
    }

    var count: Int { keys.count }

    static func hash(_ key: String) -> UInt64 {
        StableHash.fmix64(StableHash.fnv1a(string: key))
    }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 32) }

    subscript(key: String) -> Int? {
        get {
            let h = Self.hash(key)
            let tag = Self.tag(h)
            return slots.withUnsafeBufferPointer { table in
                keys.withUnsafeBufferPointer { names in
                    let mask = table.count - 1
                    var b = Int(truncatingIfNeeded: h) & mask
                    while true {
                        let slot = table[b]
                        if slot.entry == 0 { return nil }
                        let entry = Int(slot.entry) - 1
                        if slot.tag == tag && names[entry] == key { return ids[entry] }
                        b = (b + 1) & mask
                    }
                }
            }
        }
        set {
            guard let newValue else { preconditionFailure("CategoryTable does not remove entries") }
            let h = Self.hash(key)
            let tag = Self.tag(h)
            let mask = slots.count - 1
            var b = Int(truncatingIfNeeded: h) & mask
            while slots[b].entry != 0 {
                let entry = Int(slots[b].entry) - 1
                if slots[b].tag == tag && keys[entry] == key {
                    ids[entry] = newValue
                    return
                }
                b = (b + 1) & mask
            }
            precondition(keys.count < Int(UInt32.max), "CategoryTable: too many categories")
            keys.append(key)
            ids.append(newValue)
            slots[b] = Slot(tag: tag, entry: UInt32(keys.count))
            if keys.count * 2 > slots.count { grow() }
        }
    }

    /// The id of `key` when present; otherwise stores `newID` for it and returns nil. One
    /// probe sequence for what a lookup and an insertion would each walk.
    mutating func idOrInsert(_ key: String, newID: Int) -> Int? {
        let h = Self.hash(key)
        let tag = Self.tag(h)
        let mask = slots.count - 1
        var b = Int(truncatingIfNeeded: h) & mask
        while slots[b].entry != 0 {
            let entry = Int(slots[b].entry) - 1
            if slots[b].tag == tag && keys[entry] == key { return ids[entry] }
            b = (b + 1) & mask
        }
        precondition(keys.count < Int(UInt32.max), "CategoryTable: too many categories")
        keys.append(key)
        ids.append(newID)
        slots[b] = Slot(tag: tag, entry: UInt32(keys.count))
        if keys.count * 2 > slots.count { grow() }
        return nil
    }

    /// Rewrites the ids of the most recent entries, newest first, while they are `>= first`
    /// (ids given in insertion order, as the transformer does): no key is hashed.
    mutating func remapTrailingIDs(atLeast first: Int, _ remap: (Int) -> Int) {
        var entry = ids.count - 1
        while entry >= 0 && ids[entry] >= first {
            ids[entry] = remap(ids[entry])
            entry -= 1
        }
    }

    /// Doubles the table; hashes are recomputed from the keys (slots keep only a tag).
    private mutating func grow() {
        slots = Array(repeating: Slot(), count: slots.count * 2)
        let mask = slots.count - 1
        for (index, key) in keys.enumerated() {
            let h = Self.hash(key)
            var b = Int(truncatingIfNeeded: h) & mask
            while slots[b].entry != 0 { b = (b + 1) & mask }
            slots[b] = Slot(tag: Self.tag(h), entry: UInt32(index + 1))
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
