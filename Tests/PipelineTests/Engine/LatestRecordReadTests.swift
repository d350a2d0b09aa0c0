import Foundation
import Kafka
@testable import Pipeline
import Testing
import TestSupport

/// `KafkaStateRestorer.latestRecord(in:key:)` reads only the tail of the partition librdkafka's
/// default partitioner puts the key in, and finds what a read of the whole topic finds.
@Suite(.serialized) struct LatestRecordReadTests {
    @Test func crc32IsTheIEEEChecksum() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test(arguments: BrokerKind.available)
    func latestRecordOfEachKeyEqualsTheWholeTopicRead(_ kind: BrokerKind) async throws {
        try await withBroker(kind) { broker in
            let topic = "latest-\(UUID().uuidString.prefix(8).lowercased())"
            try broker.createTopic(topic, partitions: 4)
            let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers))
            // Eleven keys, up to 40 versions each (key 0 gets many more records after the last
            // version of key 1 lands in the same partition, so backward windows must grow).
            var tag: UInt64 = 0
            for version in 0..<40 {
                for key in 0..<11 where version < 3 || key == 0 || key == 7 {
                    try producer.enqueue(
                        topic: topic, key: Array("model/\(key)".utf8), value: Array("\(key)@\(version)".utf8),
                        deliveryTag: tag)
                    tag += 1
                }
            }
            try await producer.flush(timeout: .seconds(30))
            producer.close()
            let configuration = broker.consumerConfiguration(group: "latest")
            let (all, latest, absent) = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    let restorer = KafkaStateRestorer(configuration: configuration)
                    continuation.resume(with: Result {
                        (try restorer.records(in: topic),
                         try (0..<11).map { try restorer.latestRecord(in: topic, key: Array("model/\($0)".utf8)) },
                         try restorer.latestRecord(in: topic, key: Array("model/none".utf8)))
                    })
                }
            }
            for record in all {
                let key = try #require(record.key)
                #expect(Int32(CRC32.checksum(key) % 4) == record.partition, "the default partitioner's partition")
            }
            for key in 0..<11 {
                let expected = KafkaStateRestorer.latest(in: all, key: Array("model/\(key)".utf8))
                #expect(latest[key]?.value == expected?.value)
                #expect(latest[key].map { String(decoding: $0.value, as: UTF8.self) }
                    == "\(key)@\(key == 0 || key == 7 ? 39 : 2)")
            }
            #expect(absent == nil)
        }
    }
}
