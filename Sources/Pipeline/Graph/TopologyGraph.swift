/// A topology drawn as a graph: topics and stages as nodes, an edge for every topic a stage
/// reads or writes. `driftline graph` renders it as Mermaid or Graphviz DOT.
///
/// Nodes and edges come in pipeline order (a stage's inputs, the stage, its outputs), so the
/// output is the same bytes for the same file.
public struct TopologyGraph: Sendable, Equatable {
    /// A topic or a stage.
    public struct Node: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case topic
            case stage
        }

        /// Unique and safe as a Mermaid or DOT identifier: the topic role (`events`,
        /// `dead_letters`) or the stage name (`learn`).
        public var id: String
        public var kind: Kind
        /// Label lines: the topic's Kafka name or the stage name first, then details.
        public var lines: [String]
    }

    /// One arrow.
    public struct Edge: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// A stage consumes a topic.
            case reads
            /// A stage produces to a topic.
            case writes
            /// Drift alerts steer a learner (`on_drift`): the retraining loop.
            case control
            /// A learner restores its checkpointed state from the model topic.
            case restores
            /// Records a stage could not handle.
            case deadLetters
        }

        public var from: String
        public var to: String
        public var kind: Kind
        /// Text on the arrow, if any.
        public var label: String?
    }

    /// `NAME (guarantee, brokers)`.
    public var title: String
    public var nodes: [Node]
    public var edges: [Edge]

    public init(_ topology: Topology) {
        let brokers = topology.brokers.bootstrapServers ?? "embedded"
        title = "\(topology.name) (\(topology.guarantee.rawValue), brokers: \(brokers))"
        nodes = []
        edges = []

        var seen: [String] = []
        func addTopic(_ role: TopicRole) {
            guard !seen.contains(role.rawValue) else { return }
            seen.append(role.rawValue)
            nodes.append(Node(id: role.rawValue, kind: .topic, lines: Self.topicLines(topology.topics[role])))
        }

        let flows = topology.dataflow
        for flow in flows {
            flow.reads.forEach(addTopic)
            nodes.append(Node(id: flow.stage.rawValue, kind: .stage,
                              lines: [flow.stage.rawValue] + Self.stageDetails(flow.stage, topology)))
            flow.writes.forEach(addTopic)
        }
        for flow in flows {
            flow.control.forEach(addTopic)
            flow.restores.forEach(addTopic)
        }
        if !flows.isEmpty { addTopic(.deadLetters) }

        for flow in flows {
            let stage = flow.stage.rawValue
            for role in flow.reads { edges.append(Edge(from: role.rawValue, to: stage, kind: .reads)) }
            for role in flow.writes { edges.append(Edge(from: stage, to: role.rawValue, kind: .writes)) }
        }
        for flow in flows {
            let stage = flow.stage.rawValue
            for role in flow.control {
                edges.append(Edge(from: role.rawValue, to: stage, kind: .control,
                                  label: "on_drift: \(Self.describe(topology.stages.learn?.onDrift ?? .none))"))
            }
            for role in flow.restores {
                edges.append(Edge(from: role.rawValue, to: stage, kind: .restores, label: "restore"))
            }
        }
        for flow in flows {
            edges.append(Edge(from: flow.stage.rawValue, to: flow.deadLetters.rawValue, kind: .deadLetters,
                              label: "dead letters"))
        }
    }

    private static func topicLines(_ topic: TopicSettings) -> [String] {
        var lines = [topic.name]
        var details: [String] = []
        if let partitions = topic.partitions {
            details.append(partitions == 1 ? "1 partition" : "\(partitions) partitions")
        }
        if topic.isCompacted { details.append("compacted") }
        if !details.isEmpty { lines.append(details.joined(separator: ", ")) }
        return lines
    }

    private static func stageDetails(_ stage: StageDataflow.Stage, _ topology: Topology) -> [String] {
        let stages = topology.stages
        switch stage {
        case .transform:
            guard let transform = stages.transform else { return [] }
            var parts = ["\(transform.scale.rawValue) scaling"]
            if !topology.schema.categorical.isEmpty {
                parts.append(transform.categorical == .hash
                    ? "hash \(transform.hashBits) bits" : transform.categorical.rawValue)
            }
            switch transform.missing {
            case .none: break
            case .mean: parts.append("missing mean")
            case .constant(let value): parts.append("missing \(value)")
            case .indicator: parts.append("missing indicator")
            }
            return [parts.joined(separator: ", ")]
        case .learn:
            guard let learn = stages.learn else { return [] }
            return ["\(learn.model.rawValue), \(learn.optimizer.name) lr \(learn.optimizer.learningRate)"]
        case .detect:
            guard let detect = stages.detect else { return [] }
            var parts: [String] = []
            if let concept = detect.concept {
                let input: String
                switch concept.input {
                case .error: input = "error"
                case .loss: input = "loss"
                case .field(let field): input = "field \(field)"
                }
                parts.append("\(concept.detector.name) on \(input)")
            }
            if let data = detect.data { parts.append("\(data.test.rawValue) data drift") }
            return parts.isEmpty ? [] : [parts.joined(separator: ", ")]
        }
    }

    private static func describe(_ response: DriftResponse) -> String {
        switch response {
        case .none: return "none"
        case .reset(let scope): return scope == .model ? "reset" : "reset \(scope.rawValue)"
        case .challenger: return "challenger"
        }
    }
}
