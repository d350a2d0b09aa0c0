import Foundation
import Synchronization

/// What `/health` reports about a running stage: whether it is up, and when it last processed
/// a record. The engine updates it; the metrics server reads it on each request.
public final class StageHealth: Sendable {
    /// The stage's state, as `/health` names it.
    public enum Status: String, Sendable, Equatable, Codable {
        /// Started, not yet processing (joining its group, restoring state).
        case starting
        /// Processing, or idle with nothing to process.
        case ok
        /// Stopped by an error it cannot recover from; `reason` says which.
        case failing
    }

    /// The stage name `/health` reports.
    public let stage: String
    private let started: ContinuousClock.Instant
    private let state: Mutex<State>

    private struct State {
        var status: Status = .starting
        var reason: String?
        var recordsProcessed: Int = 0
        var lastProcessed: (wall: Date, instant: ContinuousClock.Instant)?
    }

    public init(stage: String) {
        self.stage = stage
        self.started = ContinuousClock.now
        self.state = Mutex(State())
    }

    /// Marks the stage as processing (after it joined its group and restored its state).
    public func markRunning() {
        state.withLock {
            $0.status = .ok
            $0.reason = nil
        }
    }

    /// Marks the stage as failed, with a reason for the operator.
    public func markFailing(reason: String) {
        state.withLock {
            $0.status = .failing
            $0.reason = reason
        }
    }

    /// Counts `count` processed records, now.
    public func recordProcessed(count: Int = 1) {
        let wall = Date()
        let instant = ContinuousClock.now
        state.withLock {
            $0.recordsProcessed += count
            $0.lastProcessed = (wall, instant)
        }
    }

    /// A snapshot for `/health`.
    public func report() -> HealthReport {
        let now = ContinuousClock.now
        let snapshot = state.withLock { $0 }
        return HealthReport(
            status: snapshot.status,
            stage: stage,
            reason: snapshot.reason,
            uptimeSeconds: Self.seconds(now - started),
            recordsProcessed: snapshot.recordsProcessed,
            lastProcessedAt: snapshot.lastProcessed.map { Self.iso8601($0.wall) },
            secondsSinceLastProcessed: snapshot.lastProcessed.map { Self.seconds(now - $0.instant) }
        )
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

/// The `/health` document: `{"status": "ok", "stage": "learn", "uptime_seconds": 12.5, …}`.
public struct HealthReport: Sendable, Equatable, Codable {
    public var status: StageHealth.Status
    public var stage: String
    /// Why the stage is failing; absent otherwise.
    public var reason: String?
    public var uptimeSeconds: Double
    public var recordsProcessed: Int
    /// ISO-8601 wall-clock time of the last processed record; absent before the first.
    public var lastProcessedAt: String?
    public var secondsSinceLastProcessed: Double?

    enum CodingKeys: String, CodingKey {
        case status, stage, reason
        case uptimeSeconds = "uptime_seconds"
        case recordsProcessed = "records_processed"
        case lastProcessedAt = "last_processed_at"
        case secondsSinceLastProcessed = "seconds_since_last_processed"
    }

    /// Absent times are written as `null`, so a reader sees every field on every answer.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(stage, forKey: .stage)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try container.encode(recordsProcessed, forKey: .recordsProcessed)
        try container.encode(lastProcessedAt, forKey: .lastProcessedAt)
        try container.encode(secondsSinceLastProcessed, forKey: .secondsSinceLastProcessed)
    }

    /// 200 when the stage is processing, 503 while starting or failing, so a load balancer or
    /// an orchestrator's probe can use the status code alone.
    public var httpStatus: Int {
        status == .ok ? 200 : 503
    }

    /// The JSON body, keys sorted (same bytes for the same report).
    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8)) + [UInt8(ascii: "\n")]
    }
}
