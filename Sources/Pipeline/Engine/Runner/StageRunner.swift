import Foundation
import Kafka
import Synchronization

/// Runs one stage over Kafka as a member of a consumer group: poll a batch → process each
/// record with its partition's task → produce outputs → commit input offsets whose outputs
/// are all delivered.
///
/// Guarantees (at-least-once):
/// - An input offset is committed only after every record forwarded while processing it (and
///   every record before it in its partition) was confirmed by the broker. A crash replays
///   uncommitted inputs; nothing is lost.
/// - A record the stage rejects goes unchanged to the dead-letter topic with the
///   ``DeadLetterHeaders``; the stage keeps running.
/// - Each assigned partition gets a fresh stage instance (``StageFactory``) that restores
///   before its first record; on revocation and shutdown it checkpoints and closes, its final
///   records are flushed and its offsets committed before the partition is given up.
/// - More than `maxInFlightOutputs` undelivered outputs pause the partitions (backpressure).
///
/// All Kafka calls and all stage code run on one dedicated thread, never on Swift's
/// cooperative pool; `run()` only awaits it. Stop with `shutdown()` or by cancelling the task
/// running `run()` (see ``ShutdownSignals`` for SIGTERM/SIGINT).
public final class StageRunner: Sendable {
    public let configuration: StageRunnerConfiguration
    let factory: StageFactory
    private let stopRequested = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    let statisticsBox: Mutex<StageStatistics>

    public init(configuration: StageRunnerConfiguration, factory: @escaping StageFactory) {
        self.configuration = configuration
        self.factory = factory
        statisticsBox = Mutex(StageStatistics(stage: configuration.stage))
    }

    /// Runs until `shutdown()` or cancellation, then shuts down gracefully: finishes the
    /// batch in hand, checkpoints and closes every task, flushes, commits and leaves the group.
    /// - Throws: ``StageFailure`` (a stage failed outside record processing),
    ///   ``StageDeliveryFailure`` (an output was not delivered; its input is not committed), or
    ///   a `KafkaError` from the clients. Nothing is committed past a failure.
    public func run() async throws {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else {
            throw StageRunnerAlreadyStarted()
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread { [self] in
                    Self.nameCurrentThread(stage: configuration.stage)
                    let result = Result { try StageRunnerLoop(runner: self).run() }
                    statisticsBox.withLock { statistics in
                        statistics.stopped = true
                        if case .failure(let error) = result { statistics.failure = String(describing: error) }
                    }
                    continuation.resume(with: result)
                }
                thread.name = "driftline-stage-\(configuration.stage)"
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onCancel: {
            shutdown()
        }
    }

    /// The kernel's name of the runner's thread (`top -H`, `/proc/PID/task/*/comm`):
    /// ``threadName(stage:)``. Foundation's `Thread.name` does not reach the kernel here, and
    /// `pthread_setname_np` is not imported: the thread writes its own `comm` instead.
    private static func nameCurrentThread(stage: String) {
        try? Data(threadName(stage: stage).utf8).write(to: URL(fileURLWithPath: "/proc/thread-self/comm"))
    }

    /// `stage:NAME`, cut to the kernel's 15 bytes (at a character boundary).
    public static func threadName(stage: String) -> String {
        var name = "stage:"
        for character in stage {
            guard name.utf8.count + character.utf8.count <= 15 else { break }
            name.append(character)
        }
        return name
    }

    /// Asks `run()` to shut down gracefully. Safe from any thread, any number of times.
    public func shutdown() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Whether `shutdown()` was called.
    public var isShuttingDown: Bool { stopRequested.load(ordering: .acquiring) }

    /// The latest counters (see ``StageStatistics``).
    public var statistics: StageStatistics { statisticsBox.withLock { $0 } }
}

/// `run()` was called twice on one ``StageRunner``.
public struct StageRunnerAlreadyStarted: Error, Sendable, CustomStringConvertible {
    public var description: String { "a StageRunner runs once; create a new one" }
}

/// An output was not delivered (e.g. `message.timeout.ms` passed). The runner stops without
/// committing the input it came from, so a restart processes that input again.
public struct StageDeliveryFailure: Error, Sendable, CustomStringConvertible {
    public var report: KafkaDeliveryReport

    public var description: String {
        "delivery to \(report.topic) failed: \(report.error.map(String.init(describing:)) ?? "unknown error")"
    }
}
