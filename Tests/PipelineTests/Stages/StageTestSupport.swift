import Foundation
import Kafka
import OnlineML
import Pipeline
import TestSupport

/// Helpers for the built-in stage tests on the ``TopologyTestDriver``.
enum StageTestSupport {
    /// The first `limit` lines of a fixture.
    static func lines(_ name: String, limit: Int? = nil) throws -> [String] {
        let all = try Fixtures.lines(name)
        return limit.map { Array(all.prefix($0)) } ?? all
    }

    /// Pipes `lines` into the events topic, event `i` stamped `i * step` ms (stream time).
    static func pipe(_ lines: some Sequence<String>, into driver: TopologyTestDriver, topic: String,
                     startIndex: Int = 0, stepMilliseconds: Int64 = 10) throws {
        var index = Int64(startIndex)
        for line in lines {
            try driver.pipe(StageRecord(key: nil, value: Array(line.utf8), timestampMilliseconds: index * stepMilliseconds),
                            into: topic)
            index += 1
        }
    }

    /// What `driftline evaluate` makes of the same lines.
    static func evaluate(_ topology: Topology, lines: [String]) -> PrequentialEvaluation {
        var evaluation = PrequentialEvaluation(topology: topology)
        for line in lines {
            let content: Result<Event, InputRecordError>
            do {
                content = .success(try JSONEventParser.parse(line))
            } catch {
                content = .failure(InputRecordError(error.description))
            }
            _ = evaluation.process(InputRecord(line: 0, content: content))
        }
        return evaluation
    }

    /// Every model record of `topic` for `key`, in offset order, decoded.
    static func models(_ driver: TopologyTestDriver, topic: String, key: String) throws -> [(record: KafkaConsumerRecord, document: ModelDocument)] {
        try driver.records(in: topic).filter { $0.key == Array(key.utf8) }.map {
            ($0, try ModelDocument(decoding: String(decoding: $0.value, as: UTF8.self)))
        }
    }

    static func header(_ name: String, _ record: KafkaConsumerRecord) -> String? {
        record.headers.last { $0.name == name }?.stringValue
    }
}
