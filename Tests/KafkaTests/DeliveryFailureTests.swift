import Kafka
import Synchronization
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// With its only broker down, a record is not delivered within `message.timeout.ms`: `send`
    /// throws, `enqueue`d records are counted as failed and the handler sees the error. The
    /// embedded broker is taken down and brought back up; the Tansu process is stopped (its
    /// memory storage does not survive a restart, so there is no "back up" step there).
    @Suite struct DeliveryFailureTests {
        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func tansuProcessStopped() async throws {
            try await withBroker(.tansu) { broker in
                let tansu = try #require(broker.tansu)
                let topic = uniqueName("down")
                try broker.createTopic(topic, partitions: 1)
                var configuration = broker.producerConfiguration()
                configuration.messageTimeoutMilliseconds = 1500
                let failures = Failures()
                let producer = try KafkaProducer(configuration: configuration) { report in
                    if let error = report.error { failures.append(error) }
                }
                defer { producer.close(flushTimeout: .zero) }
                try await producer.send(topic: topic, value: [UInt8]("before"))

                tansu.stop()
                await #expect(throws: KafkaError.self) {
                    try await producer.send(topic: topic, value: [UInt8]("lost"))
                }
                try producer.enqueue(topic: topic, key: nil, value: [UInt8]("lost too"))
                try await producer.flush(timeout: .seconds(10))
                #expect(producer.deliveryCounts == KafkaDeliveryCounts(delivered: 1, failed: 2))
                let error = try #require(failures.all.first)
                #expect(error.code == KafkaError.messageTimedOutCode)
                #expect(error.isRetriable)
            }
        }

        @Test func embeddedBrokerDown() async throws {
            try await withBroker(.embedded) { broker in
                let embedded = try #require(broker.embedded)
                let topic = uniqueName("down")
                try embedded.createTopic(topic, partitions: 1)
                var configuration = broker.producerConfiguration()
                configuration.messageTimeoutMilliseconds = 1500
                configuration.properties["reconnect.backoff.max.ms"] = "500"
                let failures = Failures()
                let producer = try KafkaProducer(configuration: configuration) { report in
                    if let error = report.error { failures.append(error) }
                }
                defer { producer.close(flushTimeout: .zero) }
                try await producer.send(topic: topic, value: [UInt8]("before"))

                try embedded.setBrokerDown(1)
                await #expect(throws: KafkaError.self) {
                    try await producer.send(topic: topic, value: [UInt8]("lost"))
                }
                try producer.enqueue(topic: topic, key: nil, value: [UInt8]("lost too"))
                try await producer.flush(timeout: .seconds(10))
                #expect(producer.deliveryCounts.delivered == 1)
                #expect(producer.deliveryCounts.failed == 2)
                let error = try #require(failures.all.first)
                #expect(error.code == KafkaError.messageTimedOutCode)
                #expect(error.description.contains("_MSG_TIMED_OUT"))

                // Back up: delivery works again once the client has reconnected; the timeout
                // is retriable, so retry as a caller would.
                try embedded.setBrokerUp(1)
                var report: KafkaDeliveryReport?
                let deadline = ContinuousClock.now + .seconds(60)
                while report == nil && ContinuousClock.now < deadline {
                    do {
                        report = try await producer.send(topic: topic, value: [UInt8]("after"))
                    } catch let error as KafkaError where error.isRetriable {
                        continue
                    }
                }
                #expect(report?.offset.isConcrete == true)
            }
        }
    }
}

/// Errors collected from a delivery handler (runs on the producer's poll thread).
final class Failures: Sendable {
    private let errors = Mutex<[KafkaError]>([])

    func append(_ error: KafkaError) { errors.withLock { $0.append(error) } }
    var all: [KafkaError] { errors.withLock { $0 } }
}
