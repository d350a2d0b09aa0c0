/// How an input file for `driftline evaluate` holds its events.
public enum EventFileFormat: String, Sendable, Equatable, CaseIterable {
    /// One flat JSON object per line (the events topic's own payload). Empty lines are skipped.
    case jsonl
    /// A header line of field names, then one event per line. Unquoted cells that read as
    /// numbers are numbers, `true`/`false` are booleans, empty cells are null; quoted cells are
    /// strings.
    case csv

    /// The format a file name suggests (`.csv` → csv, anything else → jsonl).
    public static func guess(fromPath path: String) -> EventFileFormat {
        path.lowercased().hasSuffix(".csv") ? .csv : .jsonl
    }
}
