/// Interns feature names to dense ids 0, 1, 2, … in first-seen order.
///
/// Weights and optimizer state are contiguous arrays indexed by these ids, so the hot path
/// never hashes a feature name once its id is known. The order of `names` is part of the model
/// (it fixes the summation order), so it is saved with the model document.
public struct FeatureVocabulary: Sendable, Hashable {
    public private(set) var names: [String] = []
    /// Name → id with the stable FNV hash (``CategoryTable``): a new category interns a name
    /// per event on a fresh stream, and Swift's seeded SipHash twice per name cost more than
    /// the learning step.
    private var ids = CategoryTable()

    public init() {}

    public init(names: [String]) {
        // A restored model can have millions of names: one hash per name, no regrowth.
        ids = CategoryTable(minimumCapacity: names.count)
        self.names.reserveCapacity(names.count)
        for name in names where ids.idOrInsert(name, newID: self.names.count) == nil {
            self.names.append(name)  // a duplicate keeps its first id
        }
    }

    public var count: Int { names.count }

    /// The id of a known name, `nil` for an unseen one.
    @inlinable public func id(of name: String) -> Int? { idLookup(name) }

    @usableFromInline func idLookup(_ name: String) -> Int? { ids[name] }

    /// The id of `name`, assigning the next id when it is new.
    public mutating func intern(_ name: String) -> Int {
        if let id = ids.idOrInsert(name, newID: names.count) { return id }
        names.append(name)
        return names.count - 1
    }

    /// Whether the names with ids `first...` are in ``sortNames(from:)``'s order already.
    func namesAreSorted(from first: Int) -> Bool {
        guard first + 1 < names.count else { return true }
        for id in (first + 1)..<names.count where !names[id - 1].utf8.lexicographicallyPrecedes(names[id].utf8) {
            return false
        }
        return true
    }

    /// Re-sorts the names with ids `first...` by their UTF-8 bytes and reassigns those ids.
    /// Returns the old ids in their new order (`result[k]` is the old id of `first + k`).
    mutating func sortNames(from first: Int) -> [Int] {
        let old = Array(first..<names.count)
        let order = old.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
        let sorted = order.map { names[$0] }
        for (k, name) in sorted.enumerated() {
            names[first + k] = name
            ids[name] = first + k
        }
        return order
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.names == rhs.names }
    public func hash(into hasher: inout Hasher) { hasher.combine(names) }
}
