import OnlineML

/// The input offset ranges a model learned from since it last started from zero: one
/// `{topic, partition, first, last}` range per source partition, in first-seen order.
struct TrainingLineage: Sendable, Hashable {
    private(set) var ranges: [TrainingOffsetRange] = []

    init(ranges: [TrainingOffsetRange] = []) {
        self.ranges = ranges
    }

    /// Extends the range of `position`'s partition to it (or opens one).
    mutating func learned(at position: InputPosition) {
        if let index = ranges.firstIndex(where: { $0.topic == position.topic && $0.partition == position.partition }) {
            ranges[index].last = position.offset
        } else {
            ranges.append(TrainingOffsetRange(topic: position.topic, partition: position.partition,
                                              first: position.offset, last: position.offset))
        }
    }
}
