import Kafka
import Testing

/// Errors and configuration, without a broker.
@Suite struct KafkaErrorTests {
    @Test func invalidPropertyIsReportedWithItsName() {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.properties["no.such.property"] = "1"
        #expect {
            _ = try KafkaProducer(configuration: configuration)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.name == "_INVALID_ARG" && error.message.contains("no.such.property")
                && error.description.contains("create producer")
        }
    }

    @Test func producerDefaultsAreSafe() {
        let properties = KafkaProducerConfiguration(bootstrapServers: "b:9092").librdkafkaProperties
        #expect(properties["enable.idempotence"] == "true")
        #expect(properties["acks"] == "all")
        #expect(properties["transactional.id"] == nil)
    }

    @Test func consumerNeverCommitsBehindTheCallersBack() {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: "b:9092", groupID: "g")
        configuration.properties["security.protocol"] = "SASL_SSL"
        let properties = configuration.librdkafkaProperties
        #expect(properties["enable.auto.commit"] == "false")
        #expect(properties["enable.auto.offset.store"] == "false")
        #expect(properties["group.id"] == "g")
        #expect(properties["security.protocol"] == "SASL_SSL")
    }

    @Test func passthroughPropertiesWin() {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "b:9092")
        configuration.properties["linger.ms"] = "50"
        #expect(configuration.librdkafkaProperties["linger.ms"] == "50")
    }

    @Test func versionIsReported() {
        #expect(!librdkafkaVersion.isEmpty)
        #expect(Librdkafka.isAtLeast(major: 2, minor: 0))
        #expect(librdkafkaVersion.hasPrefix("\(Librdkafka.versionNumber >> 24)."))
    }

    @Test func descriptionSaysWhatHappened() {
        let error = KafkaError(
            code: KafkaError.messageTimedOutCode, name: "_MSG_TIMED_OUT", message: "Local: Message timed out",
            operation: "delivery", isRetriable: true)
        #expect(error.description == "Kafka delivery failed: Local: Message timed out (_MSG_TIMED_OUT, code -192) [retriable]")
    }
}
