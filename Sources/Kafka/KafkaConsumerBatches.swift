/// Batches of records from a `KafkaConsumer`, as an async sequence. Each step polls without
/// blocking first; when nothing is ready it waits on the consumer's own dispatch queue in
/// short slices so cancellation and `close` are noticed. Ends when the consumer is closed or
/// the task is cancelled.
public struct KafkaConsumerBatches: AsyncSequence, Sendable {
    public typealias Element = [KafkaConsumerRecord]

    let consumer: KafkaConsumer
    let maxCount: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        let maxCount: Int

        public mutating func next() async throws -> [KafkaConsumerRecord]? {
            while !consumer.isClosed && !Task.isCancelled {
                let ready = try consumer.poll(maxRecords: maxCount, timeout: .zero)
                if !ready.isEmpty { return ready }
                let consumer = consumer
                let maxCount = maxCount
                let waited = try await runBlocking(on: consumer.pollQueue) {
                    try consumer.poll(maxRecords: maxCount, timeout: .milliseconds(100))
                }
                if !waited.isEmpty { return waited }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer, maxCount: maxCount)
    }
}

/// Records from a `KafkaConsumer` one at a time, taken from `KafkaConsumerBatches`.
public struct KafkaConsumerRecords: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerRecord

    let batches: KafkaConsumerBatches

    public struct AsyncIterator: AsyncIteratorProtocol {
        var batches: KafkaConsumerBatches.AsyncIterator
        var buffer: [KafkaConsumerRecord] = []
        var index = 0

        public mutating func next() async throws -> KafkaConsumerRecord? {
            if index == buffer.count {
                guard let batch = try await batches.next() else { return nil }
                buffer = batch
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(batches: batches.makeAsyncIterator())
    }
}
