/// Category value → feature id, for one categorical field: an open-addressing hash table with
/// the stable ``StableHash`` (FNV-1a + fmix64).
///
/// It replaces `Dictionary<String, Int>` on the hot path: hashing a short category with FNV is
/// several times cheaper than Swift's seeded SipHash, and the layout is the same in every
/// process. Entries keep insertion order; equality compares entries in that order.
struct CategoryTable: Sendable {
    /// One slot of the open-addressing array: the key's hash, its entry index + 1 (0 = empty)
    /// and its id, so a lookup touches one slot and then only the key to confirm it.
    struct Slot: Sendable {
        var hash: UInt64 = 0
        var entry: Int = 0
        var id: Int = 0
    }

    private(set) var keys: [String] = []
    private(set) var ids: [Int] = []
    /// Power-of-two capacity, at most half full.
    private var slots: [Slot] = Array(repeating: Slot(), count: 8)

    init() {}

    var count: Int { keys.count }

    static func hash(_ key: String) -> UInt64 {
        StableHash.fmix64(StableHash.fnv1a(string: key))
    }

    subscript(key: String) -> Int? {
        get {
            let h = Self.hash(key)
            return slots.withUnsafeBufferPointer { table in
                keys.withUnsafeBufferPointer { names in
                    let mask = table.count - 1
                    var b = Int(truncatingIfNeeded: h) & mask
                    while true {
                        let slot = table[b]
                        if slot.entry == 0 { return nil }
                        if slot.hash == h && names[slot.entry - 1] == key { return slot.id }
                        b = (b + 1) & mask
                    }
                }
            }
        }
        set {
            guard let newValue else { preconditionFailure("CategoryTable does not remove entries") }
            let h = Self.hash(key)
            let mask = slots.count - 1
            var b = Int(truncatingIfNeeded: h) & mask
            while slots[b].entry != 0 {
                if slots[b].hash == h && keys[slots[b].entry - 1] == key {
                    slots[b].id = newValue
                    ids[slots[b].entry - 1] = newValue
                    return
                }
                b = (b + 1) & mask
            }
            keys.append(key)
            ids.append(newValue)
            slots[b] = Slot(hash: h, entry: keys.count, id: newValue)
            if keys.count * 2 > slots.count { grow() }
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot.entry != 0 {
            var b = Int(truncatingIfNeeded: slot.hash) & mask
            while slots[b].entry != 0 { b = (b + 1) & mask }
            slots[b] = slot
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
