/// The complete, self-describing JSON form of a model version (see `docs/model-document.md`).
///
/// `encoded()` writes canonical JSON (sorted keys, shortest round-trip doubles, no whitespace)
/// including `content_hash` = "sha256:" + hex SHA-256 of the canonical encoding of the document
/// without `content_hash` and without the mutable bookkeeping field `created_at`. Decoding
/// verifies the hash. `ModelDocument(decoding: d.encoded()).pipeline` continues learning
/// bit-identically to `d.pipeline`.
public struct ModelDocument: Sendable {
    public static let formatName = "driftline.model"
    public static let formatVersion = 1

    public var name: String
    /// Monotonic version of this model name.
    public var version: Int
    /// The version this one continued from (`nil` for a fresh model).
    public var parentVersion: Int?
    public var pipeline: ModelPipeline
    /// Input offsets the model was trained on (filled by the engine).
    public var trainingOffsets: [TrainingOffsetRange]
    /// Prequential metrics by name (e.g. `accuracy`, `log_loss`).
    public var metrics: [String: Double]
    /// Wall-clock creation time (ISO 8601), bookkeeping: not covered by the content hash.
    public var createdAt: String?
    /// How this version came to be, written by the engine (events learned in this version,
    /// the drift alert that reset the model…); hashed, omitted when `nil`.
    public var lineage: JSONValue?

    public init(
        name: String, version: Int, parentVersion: Int? = nil, pipeline: ModelPipeline,
        trainingOffsets: [TrainingOffsetRange] = [], metrics: [String: Double] = [:], createdAt: String? = nil,
        lineage: JSONValue? = nil
    ) {
        self.name = name
        self.version = version
        self.parentVersion = parentVersion
        self.pipeline = pipeline
        self.trainingOffsets = trainingOffsets
        self.metrics = metrics
        self.createdAt = createdAt
        self.lineage = lineage
    }

    /// The document without `content_hash` and `created_at`: what the hash covers.
    public var hashedContent: JSONValue {
        let config = pipeline.configuration
        let names = pipeline.vocabulary.names
        var learner = pipeline.learner.stateJSON(names: names).objectValue!
        var document: [String: JSONValue] = [
            "format": .string(Self.formatName),
            "format_version": .integer(Self.formatVersion),
            "name": .string(name),
            "version": .integer(version),
            "parent_version": parentVersion.map { .integer($0) } ?? .null,
            "task": .string(config.task.rawValue),
            "schema": config.schema.json,
            "hyper_parameters": .object([
                "transformer": config.transformer.json,
                "learner": config.learner.json,
                "positive_label": config.positiveLabel.map { .string($0) } ?? .null,
            ]),
            "features": .strings(names),
            "transformer_state": pipeline.transformer.stateJSON,
            "events_learned": .integer(pipeline.eventsLearned),
            "training_offsets": .array(trainingOffsets.map(\.json)),
            "metrics": .object(metrics.mapValues { .number($0.isFinite ? $0 : 0) }),
        ]
        for key in ["weights", "intercept", "optimizer_state", "l1_state"] {
            if let v = learner.removeValue(forKey: key) { document[key] = v }
        }
        if let lineage { document["lineage"] = lineage }
        return .object(document)
    }

    /// "sha256:" + lowercase hex digest of the canonical encoding of ``hashedContent``
    /// (written directly: ``hashedContentBytes()``).
    public var contentHash: String {
        "sha256:" + SHA256.hexDigest(hashedContentBytes())
    }

    /// The full document as a JSON value (with `content_hash` and `created_at`).
    public var json: JSONValue {
        var o = hashedContent.objectValue!
        o["content_hash"] = .string(contentHash)
        o["created_at"] = createdAt.map { .string($0) } ?? .null
        return .object(o)
    }

    /// Canonical JSON text of the full document.
    public func encoded() -> String { String(decoding: encodedBytes(), as: UTF8.self) }

    /// Reads a document, checks format and (unless `verifyHash` is false) the content hash.
    ///
    /// A compact document (no whitespace between tokens: what Driftline writes) is read by
    /// ``CompactModelDecoding``, which puts the per-feature members (weights, optimizer and L1
    /// state) straight into arrays by feature id, and its hash is checked against the received
    /// bytes (``CanonicalHashCheck``): together what makes restoring a model with millions of
    /// weights fast. Any other JSON form goes through the generic parser and is re-encoded to
    /// check the hash.
    public init(decoding text: String, verifyHash: Bool = true) throws(ModelDocumentError) {
        var text = text
        let result: Result<ModelDocument, ModelDocumentError> = text.withUTF8 { bytes in
            do throws(ModelDocumentError) { return .success(try Self(decoding: bytes, verifyHash: verifyHash)) } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Reads a document from its UTF-8 bytes (a record value), as ``init(decoding:verifyHash:)``
    /// reads its text, without first copying them into a `String`.
    public init(decoding bytes: [UInt8], verifyHash: Bool = true) throws(ModelDocumentError) {
        let result: Result<ModelDocument, ModelDocumentError> = bytes.withUnsafeBufferPointer { bytes in
            do throws(ModelDocumentError) { return .success(try Self(decoding: bytes, verifyHash: verifyHash)) } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    init(decoding bytes: UnsafeBufferPointer<UInt8>, verifyHash: Bool) throws(ModelDocumentError) {
        if let members = CanonicalHashCheck.topLevelMembers(bytes) {
            // A large document is hashed on another thread while it is decoded; `bytes` must
            // outlive that, hence the wait on every exit.
            let hashing = verifyHash ? CanonicalHashCheck.Background(bytes, members: members) : nil
            defer { hashing?.wait() }
            if let document = try CompactModelDecoding.decode(bytes, members: members) {
                if let hashing {
                    let stated = try document.json.requireString("content_hash")
                    guard hashing.wait() == stated || stated == document.value.contentHash else {
                        throw ModelDocumentError(
                            "content_hash mismatch: document says \(stated), content is \(document.value.contentHash)")
                    }
                }
                self = document.value
                return
            }
        }
        try self.init(json: try CanonicalJSON.parse(bytes), verifyHash: verifyHash)
    }

    public init(json: JSONValue, verifyHash: Bool = true) throws(ModelDocumentError) {
        let configuration = try Self.configuration(json)
        let names = try json.requireStrings("features")
        var learnerState: [String: JSONValue] = [:]
        for key in ["weights", "intercept", "optimizer_state", "l1_state"] { learnerState[key] = json[key] }
        let learner = try LinearModel(configuration: configuration.learner, state: .object(learnerState), names: names)
        try self.init(json: json, configuration: configuration, names: names, learner: learner)
        if verifyHash {
            let stated = try json.requireString("content_hash")
            guard stated == contentHash else {
                throw ModelDocumentError("content_hash mismatch: document says \(stated), content is \(contentHash)")
            }
        }
    }

    /// Format check and the configuration (task, schema, hyper-parameters) of a document.
    static func configuration(_ json: JSONValue) throws(ModelDocumentError) -> ModelPipelineConfiguration {
        guard try json.requireString("format") == Self.formatName else { throw ModelDocumentError("not a \(Self.formatName) document") }
        let formatVersion = try json.requireInt("format_version")
        guard formatVersion == Self.formatVersion else { throw ModelDocumentError("unsupported format_version \(formatVersion)") }
        guard let task = LearningTask(rawValue: try json.requireString("task")) else { throw ModelDocumentError("unknown task") }
        let hyper = try json.require("hyper_parameters")
        return ModelPipelineConfiguration(
            task: task, schema: try Schema(json: try json.require("schema")),
            transformer: try TransformerConfiguration(json: try hyper.require("transformer")),
            learner: try LinearModelConfiguration(json: try hyper.require("learner")),
            positiveLabel: hyper["positive_label"]?.stringValue)
    }

    /// The rest of a document around an already decoded feature list and learner (the
    /// per-feature members of `json` are not read).
    init(
        json: JSONValue, configuration: ModelPipelineConfiguration, names: [String], learner: LinearModel
    ) throws(ModelDocumentError) {
        let vocabulary = FeatureVocabulary(names: names)
        guard vocabulary.count == names.count else { throw ModelDocumentError("duplicate feature names") }
        let transformer = try FeatureTransformer(
            configuration: configuration.transformer, schema: configuration.schema,
            state: try json.require("transformer_state"), vocabulary: vocabulary)
        let pipeline = ModelPipeline(
            configuration: configuration, transformer: transformer, vocabulary: vocabulary, learner: learner,
            eventsLearned: try json.requireInt("events_learned"))
        var metrics: [String: Double] = [:]
        for (key, value) in try json.requireObject("metrics") {
            guard let x = value.doubleValue else { throw ModelDocumentError("metric '\(key)' is not a number") }
            metrics[key] = x
        }
        let parent = json["parent_version"]
        self.init(
            name: try json.requireString("name"), version: try json.requireInt("version"),
            parentVersion: parent == .null ? nil : parent?.intValue, pipeline: pipeline,
            trainingOffsets: try json.requireArray("training_offsets").map { (v: JSONValue) throws(ModelDocumentError) in
                try TrainingOffsetRange(json: v)
            },
            metrics: metrics, createdAt: json["created_at"]?.stringValue,
            lineage: json["lineage"].flatMap { $0 == .null ? nil : $0 })
    }
}
