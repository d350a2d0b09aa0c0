import CRdKafka

/// The version of the librdkafka actually loaded at run time (not the headers built against):
/// a program built on Debian's 2.0.2 may run on 2.16 through `LD_LIBRARY_PATH`.
public enum Librdkafka {
    /// e.g. "2.0.2".
    public static var version: String { String(cString: rd_kafka_version_str()) }
    /// `0xMMmmrrxx` as librdkafka encodes it (e.g. 0x020002ff for 2.0.2).
    public static var versionNumber: Int { Int(rd_kafka_version()) }
    /// Whether the loaded librdkafka is at least `major.minor`.
    public static func isAtLeast(major: Int, minor: Int) -> Bool {
        versionNumber >= (major << 24) | (minor << 16)
    }
}

/// Shorthand for `Librdkafka.version`.
public var librdkafkaVersion: String { Librdkafka.version }

/// Shorthand for `Librdkafka.versionNumber`.
public var librdkafkaVersionNumber: Int { Librdkafka.versionNumber }
