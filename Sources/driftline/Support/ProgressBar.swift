import Dispatch
import Synchronization

/// A one-line progress display on stderr for terminals: a bar and ETA when the total input size
/// is known, records per second always. Redraws from a timer; the work loop only bumps
/// counters.
///
/// `@unchecked Sendable`: every stored property is immutable after `init`, and a dispatch
/// timer source may be cancelled from any thread.
final class ProgressBar: @unchecked Sendable {
    /// What the bar shows at one instant.
    struct Status: Sendable {
        var bytesDone: Int
        var records: Int
        var skipped: Int
    }

    private let totalBytes: Int?
    private let status: @Sendable () -> Status
    private let timer: any DispatchSourceTimer
    private let start = ContinuousClock.now
    private let drawn = Atomic<Bool>(false)

    /// Starts redrawing every `interval`.
    init(totalBytes: Int?, interval: Duration = .milliseconds(200), status: @escaping @Sendable () -> Status) {
        self.totalBytes = totalBytes.flatMap { $0 > 0 ? $0 : nil }
        self.status = status
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "driftline-progress"))
        let milliseconds = Int(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
        timer.schedule(deadline: .now() + .milliseconds(milliseconds), repeating: .milliseconds(milliseconds))
        timer.setEventHandler { [self] in draw() }
        timer.resume()
    }

    /// Stops redrawing and clears the line, so the summary starts on a clean line.
    func finish() {
        timer.cancel()
        timer.setEventHandler {}
        if drawn.load(ordering: .acquiring) { StandardError.write("\r\u{1B}[2K") }
    }

    private func draw() {
        let now = status()
        let elapsed = max((ContinuousClock.now - start).seconds, 1e-9)
        let rate = Double(now.records) / elapsed
        var line = ""
        if let totalBytes {
            let fraction = min(1, Double(now.bytesDone) / Double(totalBytes))
            let width = 24
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
            line += pad(String(Int(fraction * 100)) + "%", 4) + "  "
            let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : .infinity
            line += "\(formatCount(now.records)) sent  \(formatCount(Int(rate)))/s  ETA \(formatSeconds(eta))"
        } else {
            line += "\(formatCount(now.records)) sent  \(formatCount(Int(rate)))/s"
        }
        if now.skipped > 0 { line += "  \(now.skipped) bad" }
        drawn.store(true, ordering: .releasing)
        StandardError.write("\r\u{1B}[2K" + line)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// 1234 → "1,234"; 12_345_678 → "12.3M".
func formatCount(_ value: Int) -> String {
    if value >= 10_000_000 { return String(format1(Double(value) / 1e6)) + "M" }
    var digits = Array(String(value))
    var index = digits.count - 3
    while index > 0 {
        digits.insert(",", at: index)
        index -= 3
    }
    return String(digits)
}

/// "42s", "3m05s", "--" for unknown.
func formatSeconds(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "--" }
    let whole = Int(seconds.rounded(.up))
    if whole < 60 { return "\(whole)s" }
    let minutes = whole / 60, rest = whole % 60
    return "\(minutes)m" + (rest < 10 ? "0" : "") + "\(rest)s"
}

/// One decimal place, without Foundation's formatters.
func format1(_ value: Double) -> String {
    let scaled = (value * 10).rounded()
    return "\(Int(scaled) / 10).\(abs(Int(scaled)) % 10)"
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
