import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// Position, lag, watermarks, seek and pause/resume on an assigned partition, and the
    /// async `records` sequence.
    @Suite struct ConsumerPositionTests {
        @Test func embedded() async throws { try await withBroker(.embedded, Self.positions) }

        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func tansu() async throws { try await withBroker(.tansu, Self.positions) }

        /// `assignAtEnd` assigns each partition at its high watermark, as a concrete offset:
        /// what was there before is skipped, the next record produced is read.
        @Test func assignsAtTheEndAsConcreteOffsets() async throws {
            try await withBroker(.embedded) { broker in
                let topic = uniqueName("at-end")
                try broker.createTopic(topic, partitions: 2)
                let producer = try KafkaProducer(configuration: broker.producerConfiguration())
                defer { producer.close() }
                for index in 0..<5 {
                    try producer.enqueue(topic: topic, key: nil, value: String(index), partition: 0)
                }
                try producer.enqueue(topic: topic, key: nil, value: "x", partition: 1)
                try await producer.flush(timeout: .seconds(30))
                let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(group: uniqueName("g")))
                defer { try? consumer.close() }
                let partitions = [KafkaTopicPartition(topic: topic, partition: 0), KafkaTopicPartition(topic: topic, partition: 1)]
                let assigned = try consumer.assignAtEnd(partitions)
                #expect(assigned.map(\.offset) == [KafkaOffset(5), KafkaOffset(1)])
                #expect(try consumer.assignment() == partitions)
                try producer.enqueue(topic: topic, key: nil, value: "late", partition: 0)
                try await producer.flush(timeout: .seconds(30))
                let read = try await consume(consumer, count: 1, commit: false)
                #expect(read.map(\.valueString) == ["late"])
                #expect(read.map(\.offset) == [5])
            }
        }

        static func positions(_ broker: TestBroker) async throws {
            let topic = uniqueName("position")
            try broker.createTopic(topic, partitions: 1)
            let producer = try KafkaProducer(configuration: broker.producerConfiguration())
            defer { producer.close() }
            for index in 0..<50 {
                try producer.enqueue(topic: topic, key: nil, value: String(index))
            }
            try await producer.flush(timeout: .seconds(30))
            let partition = KafkaTopicPartition(topic: topic, partition: 0)

            let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(group: uniqueName("g")))
            defer { try? consumer.close() }
            try consumer.subscribe(topics: [topic])

            // The async sequence delivers all 50 in order.
            var values: [String] = []
            for try await record in consumer.records {
                values.append(record.valueString)
                if values.count == 50 { break }
            }
            #expect(values == (0..<50).map(String.init))
            #expect(try consumer.assignment() == [partition])
            #expect(try consumer.position([partition]).map(\.offset) == [KafkaOffset(50)])
            let cached = try #require(consumer.cachedWatermarks(partition))
            #expect(cached.low == 0 && cached.high == 50, "watermarks \(cached)")
            if broker.kind == .embedded {
                // Tansu 0.6.0 answers ListOffsets with the last batch's base offset + 1.
                let queried = try consumer.watermarks(partition)
                #expect(queried.low == 0 && queried.high == 50, "watermarks \(queried)")
            }
            #expect(try consumer.lag().map(\.lag) == [0])

            // Seek back to 10: the next record read is offset 10.
            try consumer.seek([KafkaTopicPartitionOffset(partition, offset: KafkaOffset(10))])
            let afterSeek = try await consume(consumer, count: 40, commit: false)
            #expect(afterSeek.map(\.offset) == Array(10..<50))

            // Paused: new records are not returned; resumed: they are.
            try consumer.pause([partition])
            try await producer.send(topic: topic, value: [UInt8]("late"))
            let whilePaused = try await consume(consumer, count: 1, timeout: .seconds(2), commit: false)
            #expect(whilePaused.isEmpty)
            try consumer.resume([partition])
            let resumed = try await consume(consumer, count: 1, commit: false)
            #expect(resumed.map(\.valueString) == ["late"])
        }
    }
}
