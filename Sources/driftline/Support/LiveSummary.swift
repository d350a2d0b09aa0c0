import Foundation
import Pipeline
import Synchronization

/// `driftline up`'s one-screen view: per stage events/s and lag, then the models (version,
/// prequential metric), the alerts and dead letters. On a terminal it is redrawn in place about
/// once a second; otherwise one compact line is logged every `reportInterval` seconds.
final class LiveSummary: Sendable {
    private let topology: Topology
    private let isTerminal: Bool
    private let reportInterval: Duration
    private let state = Mutex(State())

    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var lastIn: [Int] = []
        var drawnLines = 0
    }

    init(topology: Topology, isTerminal: Bool, reportInterval: Double) {
        self.topology = topology
        self.isTerminal = isTerminal
        self.reportInterval = .milliseconds(Int64(max(0.1, reportInterval) * 1000))
    }

    func update(statistics: [StageStatistics], snapshot: PipelineWatcher.Snapshot, feeder: EventFeeder?, elapsed: Duration) {
        let now = ContinuousClock.now
        let interval: Duration = isTerminal ? .seconds(1) : reportInterval
        let (due, rates): (Bool, [Double]) = state.withLock { state in
            let since = state.lastDraw.map { $0.duration(to: now) }
            guard since == nil || since! >= interval else { return (false, []) }
            let seconds = since.map { Double($0.components.seconds) + Double($0.components.attoseconds) * 1e-18 } ?? 0
            let rates = statistics.enumerated().map { index, stage -> Double in
                guard seconds > 0, index < state.lastIn.count else { return 0 }
                return Double(stage.recordsIn - state.lastIn[index]) / seconds
            }
            state.lastDraw = now
            state.lastIn = statistics.map(\.recordsIn)
            return (true, rates)
        }
        guard due else { return }
        draw(statistics: statistics, rates: rates, snapshot: snapshot, feeder: feeder, elapsed: elapsed)
    }

    /// The last view, always drawn (the final state of the run).
    func finish(statistics: [StageStatistics], snapshot: PipelineWatcher.Snapshot, feeder: EventFeeder?, elapsed: Duration) {
        draw(statistics: statistics, rates: statistics.map { _ in 0 }, snapshot: snapshot, feeder: feeder, elapsed: elapsed)
    }

    private func draw(statistics: [StageStatistics], rates: [Double], snapshot: PipelineWatcher.Snapshot, feeder: EventFeeder?, elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if isTerminal {
            let lines = Self.screen(topology: topology, statistics: statistics, rates: rates, snapshot: snapshot,
                                    feeder: feeder, seconds: seconds)
            let erase = state.withLock { state -> String in
                defer { state.drawnLines = lines.count }
                return state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)A\u{1B}[J" : ""
            }
            StandardError.write(erase + lines.joined(separator: "\n") + "\n")
        } else {
            StandardError.line(Self.line(statistics: statistics, rates: rates, snapshot: snapshot, feeder: feeder, seconds: seconds))
        }
    }

    static func screen(topology: Topology, statistics: [StageStatistics], rates: [Double], snapshot: PipelineWatcher.Snapshot,
                       feeder: EventFeeder?, seconds: Double) -> [String] {
        var lines: [String] = []
        var head = "driftline up \(topology.name)  \(fixed(seconds, 1)) s"
        if let feeder { head += "  fed \(feeder.delivered)" + (feeder.finished.load(ordering: .relaxed) ? " (done)" : "") }
        lines.append(head)
        lines.append(pad("stage", 10) + pad("events/s", 11) + pad("in", 10) + pad("out", 10) + pad("lag", 8) + "dlq")
        for (index, stage) in statistics.enumerated() {
            let lag = stage.partitions.contains { $0.lag == nil } && stage.partitions.allSatisfy { $0.lag == nil } ? "-" : String(stage.totalLag)
            lines.append(pad(stage.stage, 10) + pad(String(Int(rates[index].rounded())), 11) + pad(String(stage.recordsIn), 10)
                         + pad(String(stage.recordsOut), 10) + pad(lag, 8) + String(stage.deadLettered))
        }
        lines.append("predictions \(snapshot.predictions)   model records \(snapshot.modelRecords)   dead letters \(snapshot.deadLetters)")
        for model in snapshot.latestModels.prefix(8) {
            lines.append("  model \(model.key) v\(model.version) (\(model.reason)) learned \(model.eventsLearned)  " + metricText(model))
        }
        if snapshot.latestModels.count > 8 { lines.append("  … \(snapshot.latestModels.count - 8) more models") }
        lines.append("alerts \(snapshot.alerts.count)" + (snapshot.alerts.last.map { "   last: " + alertText($0) } ?? ""))
        return lines
    }

    static func line(statistics: [StageStatistics], rates: [Double], snapshot: PipelineWatcher.Snapshot,
                     feeder: EventFeeder?, seconds: Double) -> String {
        var parts = ["\(fixed(seconds, 1))s"]
        if let feeder { parts.append("fed \(feeder.delivered)") }
        for (index, stage) in statistics.enumerated() {
            parts.append("\(stage.stage) \(stage.recordsIn) in (\(Int(rates[index].rounded()))/s) lag \(stage.totalLag)")
        }
        parts.append("models \(snapshot.latestModels.map { "\($0.key)@v\($0.version)" }.joined(separator: ","))")
        if let first = snapshot.latestModels.first { parts.append(metricText(first)) }
        parts.append("alerts \(snapshot.alerts.count)")
        if let last = snapshot.alerts.last { parts.append("last alert " + alertText(last)) }
        parts.append("dlq \(snapshot.deadLetters)")
        return parts.joined(separator: " | ")
    }

    static func metricText(_ model: PipelineWatcher.ModelVersion) -> String {
        let shown = ["accuracy", "logloss", "mae", "rmse"]
        return model.metrics.filter { shown.contains($0.0) }.map { "\($0.0) \(fixed($0.1, 4))" }.joined(separator: " ")
    }

    static func alertText(_ alert: PipelineWatcher.Alert) -> String {
        var text = "\(alert.kind) \(alert.detector) on \(alert.modelKey)"
        if let version = alert.modelVersion { text += " v\(version)" }
        if let feature = alert.feature { text += " feature \(feature)" }
        if let partition = alert.sourcePartition, let offset = alert.sourceOffset { text += " at events \(partition):\(offset)" }
        return text
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
