/// Category value → feature id, for one categorical field: an open-addressing hash table with
/// the stable ``StableHash`` (FNV-1a + fmix64).
///
/// It replaces `Dictionary<String, Int>` on the hot path: hashing a short category with FNV is
/// several times cheaper than Swift's seeded SipHash, and the layout is the same in every
/// process. Entries keep insertion order; equality compares entries in that order.
struct CategoryTable: Sendable {
    /// One slot of the open-addressing array, 16 bytes. A lookup is a cache miss on the hot
    /// path (16 tables per stage of 5,000 categories each do not stay cached), so a slot holds
    /// all a lookup of a short key needs: the key itself (up to 7 UTF-8 bytes, packed with its
    /// length), and its id. A longer key's slot holds 63 bits of its hash instead, and the key
    /// is confirmed in `keys`.
    struct Slot: Sendable {
        /// ``CategoryTable/packedKey(_:)``.
        var key: UInt64 = 0
        /// Entry index + 1 (0 = empty).
        var entry: UInt32 = 0
        /// The id when it fits (else ``CategoryTable/idInEntries``: read `ids`).
        var id: Int32 = 0
    }

    /// A slot's `id` when the id does not fit in 32 bits.
    static let idInEntries = Int32.min

    private(set) var keys: [String] = []
    private(set) var ids: [Int] = []
    /// Power-of-two capacity, at most three quarters full: a learner holds one vocabulary and
    /// a table per categorical field for every partition it owns, and half-full tables of
    /// 16-byte slots put its RSS over 64 MB in `bench pipeline` (16 models of ~5,000 names).
    private var slots: [Slot] = Array(repeating: Slot(), count: 8)

    init() {}

    /// Room for `count` entries without regrowth (a restored vocabulary can be large).
    init(minimumCapacity count: Int) {
        var capacity = 8
        while capacity * 3 < count * 4 { capacity *= 2 }
        slots = Array(repeating: Slot(), count: capacity)
        keys.reserveCapacity(count)
        ids.reserveCapacity(count)
    }

    var count: Int { keys.count }

    static func hash(_ key: String) -> UInt64 {
        StableHash.fmix64(StableHash.fnv1a(string: key))
    }

    /// A key of at most 7 bytes: its bytes (little-endian) and, in the top byte, 0x80 | length
    /// — equal packings mean equal keys. A longer key: its hash with the top bit cleared.
    static func packedKey(_ key: String, hash: UInt64) -> UInt64 {
        hashAndPackedKey(key).packed
    }

    /// ``hash(_:)`` and ``packedKey(_:hash:)`` in one pass over the key's bytes, read in place
    /// (no copy or uniqueness check of the string).
    @inline(__always)
    static func hashAndPackedKey(_ key: String) -> (hash: UInt64, packed: UInt64) {
        if let result = key.utf8.withContiguousStorageIfAvailable({ hashAndPackedKey(utf8: $0) }) { return result }
        return Array(key.utf8).withUnsafeBufferPointer { hashAndPackedKey(utf8: $0) }
    }

    @inline(__always)
    private static func hashAndPackedKey(utf8: UnsafeBufferPointer<UInt8>) -> (hash: UInt64, packed: UInt64) {
        let h = StableHash.fmix64(StableHash.fnv1a(utf8))
        guard utf8.count <= 7 else { return (h, h & ~(1 << 63)) }
        var packed = UInt64(0x80 | utf8.count) << 56
        for k in 0..<utf8.count { packed |= UInt64(utf8[k]) << (8 * UInt64(k)) }
        return (h, packed)
    }

    @inline(__always)
    private static func isShort(_ packed: UInt64) -> Bool { packed >> 63 != 0 }

    @inline(__always)
    private static func slotID(_ id: Int) -> Int32 { Int32(exactly: id) ?? idInEntries }

    subscript(key: String) -> Int? {
        // ``id(of:in:)`` on this table: one lookup, read in place either way.
        @inline(__always) get {
            withUnsafePointer(to: self) { Self.id(of: key, in: $0) }
        }
        set {
            guard let newValue else { preconditionFailure("CategoryTable does not remove entries") }
            let (h, packed) = Self.hashAndPackedKey(key)
            let (b, entry) = find(key, hash: h, packed: packed)
            guard let entry else { return insert(key, packed: packed, id: newValue, at: b) }
            ids[entry] = newValue
            slots[b].id = Self.slotID(newValue)
        }
    }

    /// The slot and entry of `key`, or the empty slot where it would go: the one probe of the
    /// setter and ``idOrInsert(_:newID:)``.
    @inline(__always)
    private func find(_ key: String, hash h: UInt64, packed: UInt64) -> (slot: Int, entry: Int?) {
        let mask = slots.count - 1
        var b = Int(truncatingIfNeeded: h) & mask
        while slots[b].entry != 0 {
            let entry = Int(slots[b].entry) - 1
            if slots[b].key == packed && (Self.isShort(packed) || keys[entry] == key) { return (b, entry) }
            b = (b + 1) & mask
        }
        return (b, nil)
    }

    /// The id of `key` in the table at `table`, read in place. A lookup through a copy of a
    /// table held in unsafe memory (`fields[slot].categoryIDs` through a buffer pointer, as
    /// the transformer's prepare pass reads it) retains and releases all three arrays, three
    /// times per event in the quickstart; this touches only `slots`, and `keys` for a key
    /// longer than 7 bytes.
    @inline(__always)
    static func id(of key: String, in table: UnsafePointer<CategoryTable>) -> Int? {
        let (h, packed) = hashAndPackedKey(key)
        let short = isShort(packed)
        var b = Int(truncatingIfNeeded: h)
        while true {
            // One probe run over the slots; stops at the key (short), at a hash match to
            // confirm (long), or at an empty slot.
            let (entry, id) = table.pointee.slots.withUnsafeBufferPointer { slots -> (Int, Int32) in
                let mask = slots.count - 1
                b &= mask
                while true {
                    let slot = slots[b]
                    if slot.entry == 0 { return (-1, 0) }
                    if slot.key == packed { return (Int(slot.entry) - 1, slot.id) }
                    b = (b + 1) & mask
                }
            }
            if entry < 0 { return nil }
            if short || table.pointee.keys[entry] == key {
                return id != idInEntries ? Int(id) : table.pointee.ids[entry]
            }
            b += 1
        }
    }

    /// The id of `key` when present; otherwise stores `newID` for it and returns nil. One
    /// probe sequence for what a lookup and an insertion would each walk.
    mutating func idOrInsert(_ key: String, newID: Int) -> Int? {
        let (h, packed) = Self.hashAndPackedKey(key)
        let (b, entry) = find(key, hash: h, packed: packed)
        if let entry { return ids[entry] }
        insert(key, packed: packed, id: newID, at: b)
        return nil
    }

    private mutating func insert(_ key: String, packed: UInt64, id: Int, at b: Int) {
        precondition(keys.count < Int(UInt32.max), "CategoryTable: too many categories")
        keys.append(key)
        ids.append(id)
        slots[b] = Slot(key: packed, entry: UInt32(keys.count), id: Self.slotID(id))
        if keys.count * 4 > slots.count * 3 { grow() }
    }

    /// Rewrites the ids of the most recent entries, newest first, while they are `>= first`
    /// (ids given in insertion order, as the transformer does).
    mutating func remapTrailingIDs(atLeast first: Int, _ remap: (Int) -> Int) {
        var entry = ids.count - 1
        while entry >= 0 && ids[entry] >= first {
            ids[entry] = remap(ids[entry])
            // The entry's slot: found by its hash, compared by entry index.
            let mask = slots.count - 1
            var b = Int(truncatingIfNeeded: Self.hash(keys[entry])) & mask
            while Int(slots[b].entry) != entry + 1 { b = (b + 1) & mask }
            slots[b].id = Self.slotID(ids[entry])
            entry -= 1
        }
    }

    /// Doubles the table; hashes are recomputed from the keys (slots keep no full hash).
    private mutating func grow() {
        slots = Array(repeating: Slot(), count: slots.count * 2)
        let mask = slots.count - 1
        for (index, key) in keys.enumerated() {
            let h = Self.hash(key)
            var b = Int(truncatingIfNeeded: h) & mask
            while slots[b].entry != 0 { b = (b + 1) & mask }
            slots[b] = Slot(key: Self.packedKey(key, hash: h), entry: UInt32(index + 1), id: Self.slotID(ids[index]))
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
