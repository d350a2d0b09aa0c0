import Foundation

/// Data files shared by the test targets, found relative to this source file so tests run from a
/// clone with no resource bundle. See `Tests/Fixtures/SOURCE.md` for where they come from.
public enum Fixtures {
    /// `Tests/Fixtures/`.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures")

    /// The repository root (for `topologies/`, the built `driftline` binary, scripts).
    public static let repositoryRoot: URL = directory
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The lines of a JSONL fixture, without empty lines.
    public static func lines(_ name: String) throws -> [String] {
        try String(contentsOf: url(name), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}
