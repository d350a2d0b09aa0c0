import Foundation
import Kafka

/// The brokers the Kafka tests run against.
public enum BrokerKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// librdkafka's mock cluster in this process: always available.
    case embedded
    /// A Tansu process: needs `DRIFTLINE_TANSU` and librdkafka >= 2.10 (2.0.2 cannot talk to it).
    case tansu

    public var description: String { rawValue }

    /// Path of the Tansu binary from `DRIFTLINE_TANSU` (see `scripts/brokers-env`).
    public static var tansuExecutable: String? {
        guard let path = ProcessInfo.processInfo.environment["DRIFTLINE_TANSU"], !path.isEmpty,
            FileManager.default.isExecutableFile(atPath: path)
        else { return nil }
        return path
    }

    /// The brokers tests can use in this process: always `.embedded`, `.tansu` when usable.
    public static var available: [BrokerKind] { tansuUsable ? [.embedded, .tansu] : [.embedded] }

    /// Whether Tansu tests can run in this process.
    public static var tansuUsable: Bool {
        tansuExecutable != nil && Librdkafka.isAtLeast(major: 2, minor: 10)
    }
}

/// A running broker for one test: the embedded mock cluster or a Tansu process, stopped when
/// the test ends (`stop()`, or `deinit`).
public final class TestBroker: Sendable {
    public let kind: BrokerKind
    public let bootstrapServers: String
    /// Set for `.embedded`: fault injection and topic creation.
    public let embedded: EmbeddedBroker?
    /// Set for `.tansu`: the process, stopped by PID.
    public let tansu: TansuProcess?

    public init(_ kind: BrokerKind, brokers: Int = 1) throws {
        self.kind = kind
        switch kind {
        case .embedded:
            let broker = try EmbeddedBroker(brokers: brokers)
            embedded = broker
            tansu = nil
            bootstrapServers = broker.bootstrapServers
        case .tansu:
            guard let executable = BrokerKind.tansuExecutable else {
                throw BrokerProcessError.notReady("DRIFTLINE_TANSU is not set")
            }
            let process = try TansuProcess(executable: executable)
            tansu = process
            embedded = nil
            bootstrapServers = process.bootstrapServers
        }
    }

    deinit {
        stop()
    }

    public func stop() {
        embedded?.shutdown()
        tansu?.stop()
    }

    /// Creates a topic the way the broker supports: mock API on the embedded broker, the
    /// Admin API on Tansu.
    public func createTopic(_ name: String, partitions: Int) throws {
        if let embedded {
            try embedded.createTopic(name, partitions: partitions)
        } else {
            let admin = try KafkaAdmin(bootstrapServers: bootstrapServers)
            try admin.createTopics([KafkaNewTopic(name: name, partitions: Int32(partitions))])
        }
    }

    /// Producer settings for tests: fast linger, everything else default.
    public func producerConfiguration() -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.lingerMilliseconds = 1
        configuration.messageTimeoutMilliseconds = 30_000
        return configuration
    }

    /// Consumer settings for tests: the group timings BROKERS.md measured as fastest to join
    /// on both brokers (session 6 s, heartbeat 0.5 s), reading from the beginning.
    public func consumerConfiguration(group: String) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: group)
        configuration.sessionTimeoutMilliseconds = 6000
        configuration.heartbeatIntervalMilliseconds = 500
        configuration.autoOffsetReset = .earliest
        configuration.queuedMinMessages = 100_000
        return configuration
    }
}

/// Runs `body` against a fresh broker of `kind` and stops it afterwards, whatever happens.
public func withBroker<T>(
    _ kind: BrokerKind, brokers: Int = 1, _ body: (TestBroker) async throws -> T
) async throws -> T {
    let broker = try TestBroker(kind, brokers: brokers)
    defer { broker.stop() }
    return try await body(broker)
}
