import Kafka
import Testing

/// The scopes come from the loaded librdkafka's own table, so they hold on 2.0.2 and 2.16.
@Suite struct KafkaPropertyScopeTests {
    @Test func scopesFollowLibrdkafkasTable() {
        #expect(KafkaPropertyScope(of: "fetch.wait.max.ms") == .consumer)
        #expect(KafkaPropertyScope(of: "group.id") == .consumer)
        #expect(KafkaPropertyScope(of: "auto.offset.reset") == .consumer)
        #expect(KafkaPropertyScope(of: "linger.ms") == .producer)
        #expect(KafkaPropertyScope(of: "queue.buffering.max.kbytes") == .producer)
        #expect(KafkaPropertyScope(of: "acks") == .producer)
        #expect(KafkaPropertyScope(of: "socket.nagle.disable") == .any)
        #expect(KafkaPropertyScope(of: "bootstrap.servers") == .any)
        #expect(KafkaPropertyScope(of: "no.such.property") == .any)
        // 2.0.2's table scopes it to producers, 2.16's to every client.
        if Librdkafka.isAtLeast(major: 2, minor: 16) {
            #expect(KafkaPropertyScope(of: "retry.backoff.ms") == .any)
        } else if Librdkafka.version == "2.0.2" {
            #expect(KafkaPropertyScope(of: "retry.backoff.ms") == .producer)
        }
    }

    @Test func eachClientTakesItsOwnSettings() {
        let settings = ["fetch.wait.max.ms": "2", "linger.ms": "1", "socket.keepalive.enable": "true"]
        #expect(KafkaPropertyScope.consumerSettings(settings) == ["fetch.wait.max.ms": "2", "socket.keepalive.enable": "true"])
        #expect(KafkaPropertyScope.producerSettings(settings) == ["linger.ms": "1", "socket.keepalive.enable": "true"])
    }
}
