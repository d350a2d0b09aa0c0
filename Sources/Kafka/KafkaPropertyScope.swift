import CRdKafka
import Glibc

/// Which kind of client a librdkafka property is for, as the loaded librdkafka itself says.
///
/// A topology's `kafka:` settings are one list for every client of a stage, but librdkafka
/// logs a `CONFWARN` line for each consumer property a producer gets and each producer
/// property a consumer gets, at every client creation (the learner opens a reader each time
/// it restores). Splitting the list by scope keeps the logs for real warnings. The scopes
/// come from librdkafka's own property table (`rd_kafka_conf_properties_show`, the source of
/// its CONFIGURATION.md), so they follow the version loaded at run time: `retry.backoff.ms`
/// is producer-only in 2.0.2 and every client's in 2.16.
public enum KafkaPropertyScope: Sendable, Equatable {
    /// `C` in librdkafka's table: consumers (and their group) only.
    case consumer
    /// `P`: producers only.
    case producer
    /// `*`, or a name the table does not list (left for librdkafka to judge).
    case any

    public init(of name: String) {
        self = Self.table[name] ?? .any
    }

    /// The settings of `properties` a consumer takes.
    public static func consumerSettings(_ properties: [String: String]) -> [String: String] {
        properties.filter { Self(of: $0.key) != .producer }
    }

    /// The settings of `properties` a producer takes.
    public static func producerSettings(_ properties: [String: String]) -> [String: String] {
        properties.filter { Self(of: $0.key) != .consumer }
    }

    /// Name → scope of every consumer- or producer-only property, read once. Rows look like
    /// `fetch.wait.max.ms   |  C  | 0 .. 300000 | 500 | low | ...`.
    static let table: [String: KafkaPropertyScope] = {
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        guard let stream = open_memstream(&buffer, &size) else { return [:] }
        rd_kafka_conf_properties_show(stream)
        fclose(stream)
        guard let buffer else { return [:] }
        defer { free(buffer) }
        var scopes: [String: KafkaPropertyScope] = [:]
        for line in String(cString: buffer).split(separator: "\n") {
            let columns = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
            guard columns.count == 3 else { continue }
            let name = columns[0].trimmingSpaces
            switch columns[1].trimmingSpaces {
            case "C": scopes[name] = .consumer
            case "P": scopes[name] = .producer
            default: continue
            }
        }
        return scopes
    }()
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else { return "" }
        return String(self[first...last])
    }
}
