import Kafka

extension StageContext {
    /// The records of an output's topic at or after `next[partition]`: for a task that
    /// follows a control topic at punctuation time (the learner reading drift alerts). See
    /// ``StateRestorer/records(in:after:)``.
    public func records(in output: StageOutput, after next: [Int32: Int64]) throws -> [KafkaConsumerRecord] {
        try restorer.records(in: topics.name(for: output), after: next)
    }
}
