import ArgumentParser
import Foundation
import OnlineML

/// `driftline bench parse`: the JSON event parser's rate on 23-field events (20 numbers and 3
/// categories, plus the label, as `driftline generate` writes them), beside two references
/// measured in the same run over the same bytes: Foundation's `JSONSerialization` (what a
/// parser that is not written for events gives) and a plain byte scan counting quotes and
/// commas (a memory-bandwidth floor no parser can beat). Build with `-c release`.
struct BenchParse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "JSON event parsing rate against JSONSerialization and a byte scan."
    )

    @Option(help: "Events per timed run.")
    var events: Int = 2_000_000

    @Option(help: "Distinct generated lines, cycled through.")
    var pool: Int = 20_000

    @Option(help: "Timed repetitions; the best run of each is reported.")
    var repetitions: Int = 3

    @Option(help: "Seed of the event generator.")
    var seed: UInt64 = 42

    @Option(help: "Events per timed JSONSerialization run (it is ~25x slower).")
    var foundationEvents: Int = 100_000

    @Option(help: "Before timing, check this many random numbers parse to the same bits as strtod.")
    var checkNumbers: Int = 100_000

    func run() throws {
        if checkNumbers > 0 { try Self.checkNumbers(checkNumbers, seed: seed) }
        var stream = SyntheticStream(seed: seed)
        let lines = (0..<pool).map { _ in stream.next().jsonLine() }
        // All lines in one buffer, as a consumer batch would hold them.
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for line in lines {
            let start = bytes.count
            bytes.append(contentsOf: line.utf8)
            ranges.append(start..<bytes.count)
            bytes.append(UInt8(ascii: "\n"))
        }
        let fieldCount = try JSONEventParser.parse(lines[0]).fields.count
        print("events per run: \(events) (cycling \(pool) lines, \(bytes.count / pool) bytes and \(fieldCount) fields each), best of \(repetitions)")

        let total = events
        let parser = BenchTimer(repetitions: repetitions).best(events: total) { () -> Double in
            var fields = 0
            bytes.withUnsafeBufferPointer { all in
                var e = 0
                for _ in 0..<total {
                    let line = UnsafeBufferPointer(rebasing: all[ranges[e]])
                    if case .success(let event) = JSONEventParser.parse(bytes: line) { fields += event.fields.count }
                    e += 1
                    if e == ranges.count { e = 0 }
                }
            }
            return Double(fields)
        }

        let scan = BenchTimer(repetitions: repetitions).best(events: total) { () -> Double in
            var count = 0
            bytes.withUnsafeBufferPointer { all in
                var e = 0
                for _ in 0..<total {
                    for b in UnsafeBufferPointer(rebasing: all[ranges[e]]) {
                        count &+= (b == UInt8(ascii: "\"") || b == UInt8(ascii: ",")) ? 1 : 0
                    }
                    e += 1
                    if e == ranges.count { e = 0 }
                }
            }
            return Double(count)
        }

        let data = ranges.map { Data(bytes[$0]) }
        let foundationTotal = min(foundationEvents, total)
        let foundation = BenchTimer(repetitions: repetitions).best(events: foundationTotal) { () -> Double in
            var fields = 0
            var e = 0
            for _ in 0..<foundationTotal {
                if let object = try? JSONSerialization.jsonObject(with: data[e]) as? [String: Any] {
                    fields += object.count
                }
                e += 1
                if e == data.count { e = 0 }
            }
            return Double(fields)
        }

        BenchTimer.report("JSONEventParser.parse", parser, against: foundation, "JSONSerialization")
        BenchTimer.report("reference: JSONSerialization.jsonObject", foundation, against: foundation, "JSONSerialization")
        BenchTimer.report("reference: byte scan (quotes, commas)", scan, against: foundation, "JSONSerialization")
        let ratio = (parser.cpuRate / scan.cpuRate * 1000).rounded() / 1000
        print("JSONEventParser / byte scan: \(ratio)")
    }
}

extension BenchParse {
    /// Parses `count` random numbers in JSON and compares each with `strtod` bit for bit: the
    /// shortest forms of random doubles (as events carry them) and random digit strings with
    /// long significands and extreme exponents (the hard cases). Throws on any difference.
    static func checkNumbers(_ count: Int, seed: UInt64) throws {
        var random = SeededRandom(seed: seed ^ 0x5EED)
        var mismatches = 0
        for index in 0..<count {
            var text: String
            if index % 2 == 0 {
                var x: Double
                repeat { x = Double(bitPattern: random.next()) } while !x.isFinite
                if index % 4 == 0 { x = Double(bitPattern: random.next() >> 2) * (random.next() % 2 == 0 ? 1 : -1) }
                text = "\(x)"
                if !x.isFinite { continue }
            } else {
                let digits = 1 + Int(random.next() % 24)
                text = random.next() % 4 == 0 ? "-" : ""
                var body = ""
                for d in 0..<digits { body.append(Character(String(d == 0 ? 1 + random.next() % 9 : random.next() % 10))) }
                if random.next() % 2 == 0 {
                    let point = Int(random.next() % UInt64(digits + 1))
                    if point == 0 {
                        body = "0." + String(repeating: "0", count: Int(random.next() % 4)) + body
                    } else if point < digits {
                        body.insert(".", at: body.index(body.startIndex, offsetBy: point))
                    }
                }
                text += body
                if random.next() % 2 == 0 { text += "e\(Int(random.next() % 700) - 350)" }
            }
            guard case .number(let parsed)? = try JSONEventParser.parse("{\"a\":\(text)}")["a"] else {
                throw ValidationError("number \(text) did not parse as a number")
            }
            let expected = strtod(text, nil)
            if parsed.bitPattern != expected.bitPattern {
                mismatches += 1
                if mismatches <= 10 { print("MISMATCH \(text): \(parsed) vs strtod \(expected)") }
            }
        }
        guard mismatches == 0 else { throw ValidationError("\(mismatches) of \(count) numbers differ from strtod") }
        print("numbers checked against strtod: \(count), all bit-identical")
    }
}

/// Best-of-n timing by this thread's CPU time (the machine may be shared: a rate per CPU-second
/// is what "on one core" means), with the wall-clock rate of the same run kept for the report.
struct BenchTimer {
    struct Rates {
        var cpuRate: Double
        var wallRate: Double
    }

    var repetitions: Int

    func best(events: Int, _ body: () -> Double) -> Rates {
        var bestSeconds = Double.infinity
        var wallSeconds = Double.infinity
        var sink = 0.0
        for _ in 0..<repetitions {
            let start = BenchML.threadCPUSeconds()
            let wallStart = ContinuousClock.now
            sink += body()
            let seconds = BenchML.threadCPUSeconds() - start
            let wall = ContinuousClock.now - wallStart
            if seconds < bestSeconds {
                bestSeconds = seconds
                wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
            }
        }
        if sink.isNaN { print("(sink \(sink))") }
        return Rates(cpuRate: Double(events) / bestSeconds, wallRate: Double(events) / wallSeconds)
    }

    static func report(_ label: String, _ rates: Rates, against reference: Rates, _ referenceName: String) {
        let padded = label + String(repeating: " ", count: max(1, 44 - label.count))
        func millions(_ rate: Double) -> Double { (rate / 1e6 * 1000).rounded() / 1000 }
        let ratio = (rates.cpuRate / reference.cpuRate * 100).rounded() / 100
        print("\(padded) \(millions(rates.cpuRate)) M events/CPU-s (wall \(millions(rates.wallRate)) M/s)   \(ratio)x \(referenceName)")
    }
}
