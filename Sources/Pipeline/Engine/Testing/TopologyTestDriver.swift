import Kafka

/// Runs stages over in-memory topics with no broker, deterministically (Kafka Streams'
/// `TopologyTestDriver`, swift-nio's `EmbeddedChannel`): pipe records into a topic, advance
/// the wall clock by hand, read what the stages wrote, and assign, revoke or restart tasks
/// as a consumer group would.
///
/// Tasks run through the same task code as ``StageRunner``: the same processing, dead
/// letters, punctuations, restore, checkpoint and close. Delivery is immediate, so a task's
/// committed offset is always the offset after the last record it handled.
///
/// Processing is synchronous: `pipe` returns after every stage has handled every record it
/// can reach (stages in the order they were added, partitions in order, repeated until
/// nothing is left). A task is assigned when its partition first has records, unless it was
/// revoked by hand (then it waits for `assign`).
public final class TopologyTestDriver {
    /// Every topic: inputs, outputs and dead letters.
    public let topics: InMemoryTopics
    /// How the stages' output roles resolve.
    public let stageTopics: StageTopics
    /// The manual wall clock, milliseconds since the epoch.
    public private(set) var wallClockMilliseconds: Int64

    private var stages: [DriverStage] = []
    /// Read positions of `readOutput`, per topic.
    private var outputPositions: [String: Int] = [:]

    /// - Parameters:
    ///   - topics: the role → topic names the stages forward to.
    ///   - wallClockMilliseconds: the clock's start.
    ///   - defaultPartitions: partitions of topics not created with `createTopic`.
    public init(topics: StageTopics, wallClockMilliseconds: Int64 = 0, defaultPartitions: Int = 1) {
        self.topics = InMemoryTopics(defaultPartitions: defaultPartitions)
        self.stageTopics = topics
        self.wallClockMilliseconds = wallClockMilliseconds
    }

    /// Creates a topic with `partitions` partitions (before piping into it).
    public func createTopic(_ name: String, partitions: Int) {
        topics.create(name, partitions: partitions)
    }

    /// Adds a stage that reads `inputs`, one instance per input partition made by `factory`.
    public func addStage(_ name: String, inputs: [String], factory: @escaping StageFactory) {
        stages.append(DriverStage(name: name, inputs: inputs, factory: factory))
    }

    /// Adds a stage reading `input`.
    public func addStage(_ name: String, input: String, factory: @escaping StageFactory) {
        addStage(name, inputs: [input], factory: factory)
    }

    // MARK: - Input and time

    /// Appends `record` to `topic` (a record without a timestamp gets the wall clock) and
    /// lets every stage handle what it can.
    /// - Throws: ``StageFailure`` when a stage fails outside record processing.
    @discardableResult
    public func pipe(_ record: StageRecord, into topic: String) throws(StageFailure) -> KafkaConsumerRecord {
        let stored = topics.append(record, to: topic, timestampMilliseconds: wallClockMilliseconds)
        try run()
        return stored
    }

    /// Pipes `records` one after the other.
    public func pipe(_ records: [StageRecord], into topic: String) throws(StageFailure) {
        for record in records { try pipe(record, into: topic) }
    }

    /// Pipes a UTF-8 value (and key).
    @discardableResult
    public func pipe(key: String? = nil, value: String, into topic: String, timestampMilliseconds: Int64? = nil)
        throws(StageFailure) -> KafkaConsumerRecord
    {
        try pipe(StageRecord(key: key, value: value, timestampMilliseconds: timestampMilliseconds), into: topic)
    }

    /// Moves the wall clock forward and runs the wall-clock punctuations that became due.
    public func advanceWallClock(by duration: Duration) throws(StageFailure) {
        wallClockMilliseconds += duration.milliseconds
        for stage in stages {
            for task in stage.tasks {
                try task.punctuateWallClock(wallClockMilliseconds)
                write(task)
            }
        }
        try run()
    }

    // MARK: - Output

    /// Every record of `topic`, partition by partition in offset order.
    public func records(in topic: String) -> [KafkaConsumerRecord] {
        topics.records(in: topic)
    }

    /// Records written to `topic` since the last `readOutput` of it, in the order written.
    public func readOutput(_ topic: String) -> [KafkaConsumerRecord] {
        let all = writeLog.filter { $0.topic == topic }
        let start = outputPositions[topic, default: 0]
        outputPositions[topic] = all.count
        return Array(all.dropFirst(start))
    }

    /// Records in the order stages wrote them (all topics).
    public private(set) var writeLog: [KafkaConsumerRecord] = []

    // MARK: - Tasks

    /// The running tasks, sorted.
    public var tasks: [StageTaskID] { stages.flatMap { $0.tasks.map(\.id) }.sorted() }

    /// The offset after the last record the task of `stage` on `partition` handled (what the
    /// runner would have committed), or nil before any.
    public func committedOffset(stage: String, topic: String, partition: Int32) -> Int64? {
        self.stage(stage).committed[KafkaTopicPartition(topic: topic, partition: partition)]
    }

    /// Assigns a partition to `stage`: creates its task, restores it, and lets it catch up
    /// from the committed offset.
    public func assign(stage name: String, topic: String, partition: Int32) throws(StageFailure) {
        let stage = self.stage(name)
        let topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
        stage.revokedByHand.removeAll { $0 == topicPartition }
        if stage.task(for: topicPartition) == nil {
            try startTask(stage, topicPartition)
        }
        try run()
    }

    /// Revokes a partition from `stage`: checkpoints and closes its task (its final records
    /// are written) unless `lost`. It stays unassigned until `assign`.
    public func revoke(stage name: String, topic: String, partition: Int32, lost: Bool = false) throws(StageFailure) {
        let stage = self.stage(name)
        let topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
        if !stage.revokedByHand.contains(topicPartition) { stage.revokedByHand.append(topicPartition) }
        try endTask(stage, topicPartition, reason: lost ? .lost : .revoked)
        try run()
    }

    /// Restarts `stage` (or every stage): every task is shut down (checkpoint, close) and a
    /// fresh instance restores and takes over each partition, as after a process restart.
    public func restart(stage name: String? = nil) throws(StageFailure) {
        for stage in stages where name == nil || stage.name == name {
            let partitions = stage.tasks.map(\.id.topicPartition)
            for partition in partitions { try endTask(stage, partition, reason: .shutdown) }
            for partition in partitions { try startTask(stage, partition) }
        }
        try run()
    }

    /// Shuts every task down (checkpoint, close), writing their final records.
    public func close() throws(StageFailure) {
        for stage in stages {
            for partition in stage.tasks.map(\.id.topicPartition) {
                try endTask(stage, partition, reason: .shutdown)
            }
        }
    }

    // MARK: - Engine

    private func stage(_ name: String) -> DriverStage {
        guard let stage = stages.first(where: { $0.name == name }) else {
            preconditionFailure("no stage called \(name) was added to the driver")
        }
        return stage
    }

    private func startTask(_ stage: DriverStage, _ partition: KafkaTopicPartition) throws(StageFailure) {
        let task = try StageTask(
            id: StageTaskID(stage: stage.name, topicPartition: partition), factory: stage.factory,
            topics: stageTopics, restorer: topics, wallClockMilliseconds: wallClockMilliseconds)
        if let resume = try task.restore(wallClockMilliseconds: wallClockMilliseconds) {
            stage.committed[partition] = resume
        }
        stage.tasks.append(task)
        stage.tasks.sort { $0.id < $1.id }
        write(task)
    }

    private func endTask(_ stage: DriverStage, _ partition: KafkaTopicPartition, reason: TaskCloseReason)
        throws(StageFailure)
    {
        guard let task = stage.task(for: partition) else { return }
        try task.end(reason, wallClockMilliseconds: wallClockMilliseconds)
        if reason == .lost {
            task.drainOutputs { _ in }
        } else {
            write(task)
        }
        stage.tasks.removeAll { $0 === task }
    }

    /// Appends a task's forwarded records to their topics.
    private func write(_ task: StageTask) {
        task.drainOutputs { output in
            writeLog.append(
                topics.append(output.record, to: output.topic, timestampMilliseconds: wallClockMilliseconds))
        }
    }

    /// Lets every stage handle every record it can reach, until nothing is left.
    private func run() throws(StageFailure) {
        var progressed = true
        while progressed {
            progressed = false
            for stage in stages {
                for input in stage.inputs {
                    for partition in 0..<Int32(topics.partitionCount(of: input)) {
                        let topicPartition = KafkaTopicPartition(topic: input, partition: partition)
                        let position = stage.committed[topicPartition] ?? 0
                        guard position < topics.endOffset(of: input, partition: partition) else { continue }
                        var task = stage.task(for: topicPartition)
                        if task == nil && !stage.revokedByHand.contains(topicPartition) {
                            try startTask(stage, topicPartition)
                            task = stage.task(for: topicPartition)
                        }
                        guard let task else { continue }
                        let records = topics.records(in: input, partition: partition)
                        for record in records[Int(position)...] {
                            try task.process(record, wallClockMilliseconds: wallClockMilliseconds)
                            stage.committed[topicPartition] = record.offset + 1
                            write(task)
                            progressed = true
                        }
                    }
                }
            }
        }
    }
}

/// A stage added to the driver, its running tasks and committed offsets.
private final class DriverStage {
    let name: String
    let inputs: [String]
    let factory: StageFactory
    var tasks: [StageTask] = []
    var committed: [KafkaTopicPartition: Int64] = [:]
    var revokedByHand: [KafkaTopicPartition] = []

    init(name: String, inputs: [String], factory: @escaping StageFactory) {
        self.name = name
        self.inputs = inputs
        self.factory = factory
    }

    func task(for partition: KafkaTopicPartition) -> StageTask? {
        tasks.first { $0.id.topicPartition == partition }
    }
}
