/// Which topics one built-in stage reads and writes, derived from the topology (the file does
/// not spell it out): what `driftline graph` draws and what a stage subscribes to.
public struct StageDataflow: Sendable, Equatable {
    /// A built-in stage, in pipeline order.
    public enum Stage: String, Sendable, Equatable, CaseIterable {
        case transform
        case learn
        case detect
    }

    /// The stage.
    public var stage: Stage
    /// Topics consumed record by record (the stage's consumer group shares their partitions).
    public var reads: [TopicRole]
    /// Topics produced to, dead letters aside.
    public var writes: [TopicRole]
    /// Topics read only to change behaviour: the drift alerts a learner reacts to (`on_drift`).
    public var control: [TopicRole]
    /// Topics read when a task is assigned, to restore checkpointed state: the model topic.
    public var restores: [TopicRole]
    /// Where records the stage cannot handle go. Every stage has one.
    public var deadLetters: TopicRole = .deadLetters

    public init(stage: Stage, reads: [TopicRole], writes: [TopicRole], control: [TopicRole] = [],
                restores: [TopicRole] = []) {
        self.stage = stage
        self.reads = reads
        self.writes = writes
        self.control = control
        self.restores = restores
    }
}

extension Topology {
    /// The stages present, in pipeline order, with the topics each one uses:
    ///
    /// - transform reads events, writes features;
    /// - learn reads features (events without a transform stage), writes predictions and model
    ///   versions, restores from the model topic, and with `on_drift` other than `none` also
    ///   reads the drift alerts (the retraining loop);
    /// - detect reads predictions for concept drift on the learner's error or loss, and events
    ///   for concept drift on a raw field or for data drift; it writes alerts.
    public var dataflow: [StageDataflow] {
        var result: [StageDataflow] = []
        if stages.transform != nil {
            result.append(StageDataflow(stage: .transform, reads: [.events], writes: [.features]))
        }
        if let learn = stages.learn {
            let input: TopicRole = stages.transform != nil ? .features : .events
            let control: [TopicRole] = learn.onDrift == .none ? [] : [.alerts]
            result.append(StageDataflow(stage: .learn, reads: [input], writes: [.predictions, .models],
                                        control: control, restores: [.models]))
        }
        if let detect = stages.detect {
            var reads: [TopicRole] = []
            func read(_ role: TopicRole) {
                if !reads.contains(role) { reads.append(role) }
            }
            if let concept = detect.concept {
                switch concept.input {
                case .error, .loss: read(.predictions)
                case .field: read(.events)
                }
            }
            if detect.data != nil { read(.events) }
            result.append(StageDataflow(stage: .detect, reads: reads, writes: [.alerts]))
        }
        return result
    }

    /// Every topic some stage uses, in `TopicRole` order: the topics to create.
    public var usedTopicRoles: [TopicRole] {
        let flows = dataflow
        return TopicRole.allCases.filter { role in
            flows.contains { flow in
                flow.reads.contains(role) || flow.writes.contains(role) || flow.control.contains(role)
                    || flow.restores.contains(role) || flow.deadLetters == role
            }
        }
    }
}
