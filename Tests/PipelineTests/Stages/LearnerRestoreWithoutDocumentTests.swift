import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// A learner task that loses its partition before it published any model document, while its
/// input offsets were already committed (exactly-once commits every interval, documents come
/// every `publish.every_events`): the next task finds no document and must not learn on from
/// the committed offset with a fresh model. It starts from offset 0 instead, so its model is
/// still the one `driftline evaluate` makes.
@Suite struct LearnerRestoreWithoutDocumentTests {
    @Test func aLostPartitionBeforeTheFirstDocumentStillEndsWithEvaluatesModel() throws {
        let topology = try Topology.parse(yaml: """
            name: nodoc
            topics: {events: {name: nodoc.events, partitions: 1}, features: {name: nodoc.features, partitions: 1}}
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn: {model: logistic_regression, optimizer: {name: sgd, lr: 0.1}, publish: {every_events: 1000, every_seconds: 3600}}
            """)
        let lines = try StageTestSupport.lines("phishing.jsonl")
        let expected = try #require(StageTestSupport.evaluate(topology, lines: lines).modelDocument)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines[..<600], into: driver, topic: "nodoc.events")
        #expect(try StageTestSupport.models(driver, topic: "nodoc.models", key: "nodoc").isEmpty)
        #expect(driver.committedOffset(stage: "learn", topic: "nodoc.features", partition: 0) == 600)
        // A crash before the first publication: nothing checkpointed, 600 inputs committed.
        try driver.revoke(stage: "learn", topic: "nodoc.features", partition: 0, lost: true)
        try driver.assign(stage: "learn", topic: "nodoc.features", partition: 0)
        try StageTestSupport.pipe(lines[600...], into: driver, topic: "nodoc.events", startIndex: 600)
        try driver.close()
        let final = try #require(try StageTestSupport.models(driver, topic: "nodoc.models", key: "nodoc").last)
        #expect(final.document.contentHash == expected.contentHash)
        #expect(final.document.version == expected.version)
    }
}
