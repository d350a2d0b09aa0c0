import Kafka
import Pipeline

/// A user's own stage, written against the library only: uppercases each value to the
/// `upper` topic (keys and headers kept), rejects empty values and the value "bad", and
/// dead-letters "warn" by hand while still forwarding it.
struct UppercaseStage: Stage {
    static let output = "upper"

    mutating func process(_ record: StageRecord, context: StageContext) throws {
        let text = record.valueString
        var out = record
        out.value = Array(text.uppercased().utf8)
        out.timestampMilliseconds = nil
        if text == "bad" {
            // Forwarded, then rejected: the forward must be discarded.
            context.forward(out, to: .topic(Self.output))
            throw StageRejection("value 'bad' is not accepted")
        }
        guard !text.isEmpty else { throw StageRejection("empty value") }
        context.forward(out, to: .topic(Self.output))
        if text == "warn" { context.deadLetter("flagged for review") }
    }
}

/// Counts its partition's records. Restores the count from the latest `count-P` record on
/// the models topic, checkpoints it there, and reports it on punctuations to `alerts`.
final class CountingStage: Stage {
    var count = 0
    let streamInterval: Duration?
    let wallInterval: Duration?
    /// Resume input from the offset stored with the checkpoint (state and input line up).
    let resumesFromCheckpoint: Bool

    init(streamInterval: Duration? = nil, wallInterval: Duration? = nil, resumesFromCheckpoint: Bool = false) {
        self.streamInterval = streamInterval
        self.wallInterval = wallInterval
        self.resumesFromCheckpoint = resumesFromCheckpoint
    }

    static func key(_ partition: Int32) -> String { "count-\(partition)" }

    func restore(context: StageContext) throws {
        if let saved = try context.latestRecord(in: .models, key: Self.key(context.task.partition)) {
            let fields = saved.valueString.split(separator: "@")
            count = Int(fields[0])!
            if resumesFromCheckpoint, fields.count > 1 { context.resume(from: Int64(fields[1])!) }
        }
        if let streamInterval { context.schedule("stream", every: streamInterval, on: .streamTime) }
        if let wallInterval { context.schedule("wall", every: wallInterval, on: .wallClock) }
    }

    private var nextOffset: Int64?

    func process(_ record: StageRecord, context: StageContext) throws {
        count += 1
        nextOffset = context.source!.offset + 1
    }

    func punctuate(_ punctuation: Punctuation, context: StageContext) throws {
        context.forward(
            StageRecord(key: punctuation.name, value: "\(punctuation.timeMilliseconds):\(count)"), to: .alerts)
    }

    func checkpoint(context: StageContext) throws {
        let value = nextOffset.map { "\(count)@\($0)" } ?? String(count)
        context.forward(StageRecord(key: Self.key(context.task.partition), value: value), to: .models)
    }

    func close(_ reason: TaskCloseReason, context: StageContext) throws {
        context.forward(StageRecord(key: "closed", value: reason.rawValue), to: .alerts)
    }
}

extension Array where Element == KafkaHeader {
    /// The value of the first header called `name`, as a string.
    func string(_ name: String) -> String? { first(where: { $0.name == name })?.stringValue }
}
