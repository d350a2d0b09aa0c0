import Kafka
import OnlineML

/// `transform`: events (JSON objects) → features records.
///
/// Parses each event with OnlineML's `JSONEventParser`, checks it against the schema with the
/// model's own feature transformer (locked field kinds, finite values, a usable label) and
/// writes a compact ``FeaturesRecord``: the event's own JSON text, its label, key, time and
/// source position (format version 2: no feature vectors, nothing re-encoded). Its
/// transformer locks field kinds exactly as the learner's does, since both learn the fields of
/// the same labelled events in the same order, so both reject the same events; it learns only
/// that (``FeatureTransformer/learnFieldsPrepared(_:)``): statistics, categories and feature ids
/// decide no rejection, and were most of the stage's CPU. On assignment it restores from the
/// latest model document of its learner and resumes after the last event the document accounts
/// for (from the first event when there is no document yet).
///
/// Rejected (dead-lettered): records over ``BuiltInStages/maxRecordBytes``, bad JSON, nested
/// values, duplicate fields, non-finite or out-of-range numbers, type changes, bad labels.
struct TransformStage: Stage {
    let topology: Topology
    let task: StageTaskID
    private let targetDecoder: ModelPipeline
    private var transformer: FeatureTransformer
    /// The previous event's field names, reused by the parser.
    private var fieldNames = EventFieldNames()

    init(topology: Topology, task: StageTaskID) {
        self.topology = topology
        self.task = task
        let configuration = topology.modelPipelineConfiguration()
            ?? ModelPipelineConfiguration(
                task: .regression, schema: topology.onlineSchema,
                transformer: (topology.stages.transform ?? .passthrough).transformerConfiguration)
        targetDecoder = ModelPipeline(configuration: configuration)
        transformer = FeatureTransformer(configuration: configuration.transformer, schema: configuration.schema)
    }

    mutating func restore(context: StageContext) throws {
        guard topology.stages.learn != nil,
              let featuresPartition = BuiltInStages.outputPartition(topology.topics.features, for: task.partition)
        else { return }
        let key = BuiltInStages.modelKey(topology: topology, featuresPartition: featuresPartition)
        guard let record = try context.latestRecord(in: .models, key: key), !record.isTombstone,
              let header = ModelRecordHeaders.value(ModelRecordHeaders.sourceNextOffsets, in: record.headers),
              let next = ModelRecordHeaders.decode(header).first(where: {
                  $0.topic == task.topic && $0.partition == task.partition
              })
        else {
            // No model accounts for this partition yet: only a transformer that saw every
            // event from the start agrees with the learner's (a few features are repeated;
            // the learner skips them).
            context.resume(from: 0)
            return
        }
        let document = try ModelDocument(decoding: String(decoding: record.value, as: UTF8.self))
        transformer = document.pipeline.transformer
        context.resume(from: next.offset)
    }

    mutating func process(_ record: StageRecord, context: StageContext) throws {
        try BuiltInStages.checkSize(record)
        guard let source = context.source else { return }
        // Read in place: the value is lent from the consumer's buffer.
        let recordKey = record.keyString
        let (value, key) = try record.withUnsafeValueBytes { (raw) throws(StageRejection) -> ([UInt8], String?) in
            let buffer = (raw ?? UnsafeRawBufferPointer(start: nil, count: 0)).assumingMemoryBound(to: UInt8.self)
            let event: Event
            switch JSONEventParser.parse(bytes: buffer, fieldNames: &fieldNames) {
            case .success(let parsed): event = parsed
            case .failure(let error): throw StageRejection(error.description)
            }
            let features: FeaturesRecord
            do throws(EventRejection) {
                features = try transform(event, source: source, recordKey: recordKey)
            } catch {
                throw StageRejection(error.description)
            }
            // The event's own text goes into the record when it is valid UTF-8 (nearly always);
            // otherwise the parsed event (whose strings the parser repaired) is written out.
            let object = Self.trimmingWhitespace(buffer)
            return (Self.isValidUTF8(object) ? features.encoded(eventJSON: object) : features.encoded(), features.key)
        }
        try BuiltInStages.checkOutputSize(value, "features")
        var output = StageRecord(
            key: key.map { Array($0.utf8) }, value: value,
            timestampMilliseconds: record.timestampMilliseconds)
        output.partition = BuiltInStages.outputPartition(topology.topics.features, for: task.partition)
        context.forward(output, to: .features)
    }

    /// The transformer's view of one event: schema checks for every event, new fields learned
    /// only from a labelled one (as the learner's own step does, so both lock the same kinds).
    private mutating func transform(_ event: Event, source: SourcePosition, recordKey: String?)
        throws(EventRejection) -> FeaturesRecord
    {
        let target = try transformer.validate(event)
        var label: Double?
        if let target, target != .null {
            let y = try targetDecoder.decodeTarget(target)
            transformer.learnFieldsPrepared(event)
            label = y
        }
        let schema = topology.schema
        var key = recordKey
        if let field = schema.key, let value = event[field] {
            switch value {
            case .string(let s): key = s
            case .number(let x): key = x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
            case .bool(let b): key = b ? "true" : "false"
            case .null: break
            }
        }
        return FeaturesRecord(
            source: source, key: key, time: schema.time.flatMap { event[$0] }, label: label, fields: event.fields)
    }

    private static func trimmingWhitespace(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
        var start = 0, end = bytes.count
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// ASCII eight bytes at a time; anything else through the standard library's validation.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(base[index])
            index += 1
        }
        if high & 0x8080_8080_8080_8080 == 0 { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
