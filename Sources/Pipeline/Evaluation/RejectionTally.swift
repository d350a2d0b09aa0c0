import OnlineML

/// Rejected records grouped by reason, in the order each reason first appeared, with the first
/// line (or record index) that had it — enough to find and fix the input.
public struct RejectionTally: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var reason: String
        public var count: Int
        /// 1-based line of the first record with this reason (if it came from a file).
        public var firstLine: Int?
        /// 0-based index of that record.
        public var firstIndex: Int
    }

    public private(set) var entries: [Entry] = []
    public private(set) var count = 0
    /// Reason → position in `entries`; lookup only, never iterated.
    private var positions: [String: Int] = [:]

    public init() {}

    public mutating func add(_ reason: String, line: Int?, index: Int) {
        count += 1
        if let position = positions[reason] {
            entries[position].count += 1
        } else {
            positions[reason] = entries.count
            entries.append(Entry(reason: reason, count: 1, firstLine: line, firstIndex: index))
        }
    }

    public var json: JSONValue {
        .object([
            "count": .integer(count),
            "reasons": .array(entries.map { entry in
                .object([
                    "reason": .string(entry.reason),
                    "count": .integer(entry.count),
                    "first_line": entry.firstLine.map { .integer($0) } ?? .null,
                    "first_index": .integer(entry.firstIndex),
                ])
            }),
        ])
    }
}
