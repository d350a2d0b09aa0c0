import ArgumentParser
import OnlineML
#if canImport(Glibc)
import Glibc
#endif

/// `driftline bench ml`: the online-learning hot path — transform + predict + learn of
/// pre-parsed events (20 numeric fields standardized, 3 categorical fields one-hot with ~5,000
/// categories, logistic regression with SGD) — beside a reference measured in the same run: a
/// plain dense dot product + SGD update over the same 23 values per event (the least work any
/// learner must do). Then Adam's rate after 1,000 and after 100,000 distinct features seen,
/// which must be about equal (Adam's state is lazy). Build with `-c release`.
struct BenchML: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ml",
        abstract: "Transform + predict + learn rate against a dense dot-product loop; Adam at 1k vs 100k features."
    )

    @Option(help: "Events per timed run.")
    var events: Int = 2_000_000

    @Option(help: "Distinct pre-generated events, cycled through.")
    var pool: Int = 50_000

    @Option(help: "Timed repetitions; the best run of each is reported.")
    var repetitions: Int = 3

    @Option(help: "Seed of the event generator.")
    var seed: UInt64 = 42

    @Flag(help: "Run only the prepare stage (for profiling).")
    var prepareOnly = false

    @Flag(help: "Run only the SGD pipeline (for profiling).")
    var sgdOnly = false

    /// SplitMix64, private to this benchmark.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let numericNames = (0..<20).map { "n\($0)" }
    static let categoricalNames = ["country", "device", "campaign"]
    /// 200 + 800 + 4,000 = 5,000 categories.
    static let categoryCounts = [200, 800, 4000]

    /// Events with 20 numeric fields, 3 categorical fields and a boolean target; `manyValues`
    /// adds a fourth categorical field drawn from that many values (for the Adam runs).
    static func makeEvents(count: Int, seed: UInt64, manyValues: Int = 0, sequentialMany: Bool = false) -> [Event] {
        var random = Random(state: seed)
        let categoryValues = categoryCounts.map { n in (0..<n).map { "v\($0)" } }
        var out: [Event] = []
        out.reserveCapacity(count)
        for index in 0..<count {
            var fields: [EventField] = []
            fields.reserveCapacity(25)
            var score = 0.0
            for (j, name) in numericNames.enumerated() {
                let x = random.uniform() * Double(j + 1)
                score += (j % 3 == 0 ? 1 : -0.5) * x / Double(j + 1)
                fields.append(EventField(name, .number(x)))
            }
            for (j, name) in categoricalNames.enumerated() {
                let c = random.int(categoryCounts[j])
                if c % 7 == 0 { score += 0.5 }
                fields.append(EventField(name, .string(categoryValues[j][c])))
            }
            if manyValues > 0 {
                let v = sequentialMany ? index % manyValues : random.int(manyValues)
                fields.append(EventField("item", .string("i\(v)")))
            }
            fields.append(EventField("y", .bool(score + random.uniform() - 0.5 > 1.5)))
            out.append(Event(fields: fields))
        }
        return out
    }

    func run() throws {
        let events = Self.makeEvents(count: pool, seed: seed)
        print("events per run: \(self.events) (cycling \(pool) pre-parsed events), best of \(repetitions)")
        print("fields: 20 numeric (standard scaling), 3 categorical (one-hot, 5,000 categories), boolean target")

        if prepareOnly {
            var transformer = FeatureTransformer(configuration: .init(), schema: Schema(target: "y"))
            var vocabulary = FeatureVocabulary()
            var vector = FeatureVector()
            for e in events.prefix(100) { try? transformer.learnTransformOne(e, into: &vector, vocabulary: &vocabulary) }
            var e = 0
            for _ in 0..<self.events {
                _ = try? transformer.prepare(events[e])
                e += 1
                if e == events.count { e = 0 }
            }
            return
        }

        if sgdOnly {
            var model = ModelPipeline(configuration: ModelPipelineConfiguration(
                task: .binaryClassification, schema: Schema(target: "y"),
                transformer: TransformerConfiguration(scaling: .standard),
                learner: LinearModelConfiguration(loss: .log, optimizer: .sgd(0.1))))
            var sink = 0.0
            for k in 0..<self.events {
                sink += (try? model.processOne(events[k % events.count]))?.prediction.value ?? 0
            }
            print("sink \(sink)")
            return
        }

        // Reference: dense dot product + SGD update over the same 23 (id, value) pairs per event.
        var ids: [Int] = []
        var values: [Double] = []
        var labels: [Double] = []
        ids.reserveCapacity(pool * 23)
        values.reserveCapacity(pool * 23)
        let offsets = [20, 220, 1020]
        for event in events {
            for k in 0..<20 {
                guard case .number(let x) = event.fields[k].value else { continue }
                ids.append(k)
                values.append(x)
            }
            for j in 0..<3 {
                guard case .string(let s) = event.fields[20 + j].value else { continue }
                ids.append(offsets[j] + Int(s.dropFirst())!)
                values.append(1)
            }
            guard case .bool(let y) = event.fields[23].value else { continue }
            labels.append(y ? 1 : 0)
        }
        let total = self.events
        let reference = best { () -> Double in
            var weights = [Double](repeating: 0, count: 5020)
            var bias = 0.0
            var e = 0
            for _ in 0..<total {
                let base = e * 23
                var r = bias
                for k in base..<base + 23 { r += weights[ids[k]] * values[k] }
                let p = 1 / (1 + exp(-r))
                let g = p - labels[e]
                bias -= 0.01 * g
                for k in base..<base + 23 { weights[ids[k]] -= 0.1 * g * values[k] }
                e += 1
                if e == events.count { e = 0 }
            }
            return bias
        }
        report("reference (dense dot + SGD update)", reference, reference)

        let pipelineRate = best { () -> Double in
            var model = ModelPipeline(configuration: ModelPipelineConfiguration(
                task: .binaryClassification, schema: Schema(target: "y"),
                transformer: TransformerConfiguration(scaling: .standard),
                learner: LinearModelConfiguration(loss: .log, optimizer: .sgd(0.1))))
            var e = 0
            var sink = 0.0
            for _ in 0..<total {
                sink += (try? model.processOne(events[e]))?.prediction.value ?? 0
                e += 1
                if e == events.count { e = 0 }
            }
            return sink
        }
        report("transform + predict + learn (SGD)", pipelineRate, reference)

        // Where the time goes: the transformer's stages alone.
        let stages = ModelPipelineConfiguration(task: .binaryClassification, schema: Schema(target: "y"))
        let prepareRate = best { () -> Double in
            var transformer = FeatureTransformer(configuration: stages.transformer, schema: stages.schema)
            var vocabulary = FeatureVocabulary()
            var vector = FeatureVector()
            var e = 0
            for _ in 0..<min(total, 100) { try? transformer.learnTransformOne(events[e], into: &vector, vocabulary: &vocabulary) }
            for _ in 0..<total {
                _ = try? transformer.prepare(events[e])
                e += 1
                if e == events.count { e = 0 }
            }
            return Double(vector.count)
        }
        report("  stage: prepare (resolve + validate fields)", prepareRate, reference)
        let learnTransformRate = best { () -> Double in
            var transformer = FeatureTransformer(configuration: stages.transformer, schema: stages.schema)
            var vocabulary = FeatureVocabulary()
            var vector = FeatureVector()
            var e = 0
            for _ in 0..<total {
                try? transformer.learnTransformOne(events[e], into: &vector, vocabulary: &vocabulary)
                e += 1
                if e == events.count { e = 0 }
            }
            return Double(vector.count)
        }
        report("  stage: prepare + learn-transform", learnTransformRate, reference)

        // Adam: the same measured events after warming up on 1k vs 100k distinct features.
        let warmup = 200_000
        let measured = Self.makeEvents(count: pool, seed: seed &+ 1, manyValues: 1000)
        for features in [1_000, 100_000] {
            var model = ModelPipeline(configuration: ModelPipelineConfiguration(
                task: .binaryClassification, schema: Schema(target: "y"),
                transformer: TransformerConfiguration(scaling: .standard),
                learner: LinearModelConfiguration(loss: .log, optimizer: .adam(0.01))))
            for event in Self.makeEvents(count: warmup, seed: seed &+ 2, manyValues: features, sequentialMany: true) {
                _ = try? model.processOne(event)
            }
            let seen = model.vocabulary.count
            let rate = best { () -> Double in
                var copy = model
                var e = 0
                var sink = 0.0
                for _ in 0..<total {
                    sink += (try? copy.processOne(measured[e]))?.prediction.value ?? 0
                    e += 1
                    if e == measured.count { e = 0 }
                }
                return sink
            }
            report("transform + predict + learn (Adam), \(seen) features seen", rate, reference)
        }
    }

    /// Events per second of the best of `repetitions` runs of `body` over `events` events,
    /// measured in CPU time of this thread (the machine may be shared; a rate per CPU-second is
    /// what "on one core" means), with the wall-clock rate of the same run kept for the report.
    func best(_ body: () -> Double) -> Double {
        var bestSeconds = Double.infinity
        var sink = 0.0
        for _ in 0..<repetitions {
            let start = Self.threadCPUSeconds()
            let wallStart = ContinuousClock.now
            sink += body()
            let seconds = Self.threadCPUSeconds() - start
            let wall = ContinuousClock.now - wallStart
            let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
            if seconds < bestSeconds {
                bestSeconds = seconds
                Self.lastWallRate = Double(events) / wallSeconds
            }
        }
        if sink.isNaN { print("(sink \(sink))") }
        return Double(events) / bestSeconds
    }

    nonisolated(unsafe) static var lastWallRate = 0.0

    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    func report(_ label: String, _ rate: Double, _ reference: Double) {
        let padded = label + String(repeating: " ", count: max(1, 62 - label.count))
        let millions = (rate / 1e6 * 100).rounded() / 100
        let ratio = (rate / reference * 1000).rounded() / 1000
        let wall = (Self.lastWallRate / 1e6 * 100).rounded() / 100
        print("\(padded) \(millions) M events/CPU-s (wall \(wall) M/s)   ratio to reference \(ratio)")
    }
}
