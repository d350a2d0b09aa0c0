import Foundation
@testable import Pipeline
import Testing
import TestSupport

/// Which topics each stage uses, and the topology drawn from it.
@Suite struct TopologyGraphTests {
    private func quickstart() throws -> Topology {
        try Topology.load(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("topologies/quickstart.yaml"))
    }

    @Test func quickstartDataflow() throws {
        let flows = try quickstart().dataflow
        #expect(flows == [
            StageDataflow(stage: .transform, reads: [.events], writes: [.features]),
            StageDataflow(stage: .learn, reads: [.features], writes: [.predictions, .models],
                          control: [.alerts], restores: [.models]),
            StageDataflow(stage: .detect, reads: [.predictions], writes: [.alerts]),
        ])
        #expect(try quickstart().usedTopicRoles == TopicRole.allCases)
    }

    @Test func dataflowFollowsWhichStagesExist() throws {
        // No transform: the learner reads events; on_drift none: no control edge.
        let learnOnly = try Topology.parse(yaml: """
            name: t
            schema: {target: y}
            stages: {learn: {model: linear_regression}}
            """)
        #expect(learnOnly.dataflow == [
            StageDataflow(stage: .learn, reads: [.events], writes: [.predictions, .models], restores: [.models]),
        ])
        #expect(learnOnly.usedTopicRoles == [.events, .predictions, .models, .deadLetters])

        // A detector on a raw field, plus data drift: both read events, once.
        let detectOnly = try Topology.parse(yaml: """
            name: t
            stages:
              detect:
                concept: {detector: page_hinkley, input: {field: x}}
                data: {test: ks}
            """)
        #expect(detectOnly.dataflow == [StageDataflow(stage: .detect, reads: [.events], writes: [.alerts])])
        #expect(detectOnly.usedTopicRoles == [.events, .alerts, .deadLetters])

        // Concept drift on the learner's loss and data drift on the events.
        let both = try Topology.parse(yaml: """
            name: t
            schema: {target: y}
            stages:
              learn: {model: logistic_regression, on_drift: challenger}
              detect:
                concept: {detector: adwin, input: loss}
                data: {test: psi}
            """)
        #expect(both.dataflow.last == StageDataflow(stage: .detect, reads: [.predictions, .events], writes: [.alerts]))
        #expect(both.dataflow.first?.control == [.alerts])
    }

    @Test func quickstartMermaidGolden() throws {
        #expect(TopologyGraph(try quickstart()).mermaid() == """
            ---
            title: "quickstart (at_least_once, brokers: embedded)"
            ---
            flowchart LR
                events[("quickstart.events<br/>4 partitions")]
                transform("transform<br/>standard scaling, one_hot")
                features[("quickstart.features<br/>4 partitions")]
                learn("learn<br/>logistic_regression, sgd lr 0.01")
                predictions[("quickstart.predictions<br/>4 partitions")]
                models[("quickstart.models<br/>1 partition, compacted")]
                detect("detect<br/>adwin on error")
                alerts[("quickstart.drift-alerts<br/>1 partition")]
                dead_letters[("quickstart.dlq<br/>1 partition")]
                events --> transform
                transform --> features
                features --> learn
                learn --> predictions
                learn --> models
                predictions --> detect
                detect --> alerts
                alerts ==>|"on_drift: reset"| learn
                models -.->|"restore"| learn
                transform -.->|"dead letters"| dead_letters
                learn -.->|"dead letters"| dead_letters
                detect -.->|"dead letters"| dead_letters
                classDef topic fill:#eef4ff,stroke:#4a6fa5
                classDef stage fill:#fff4e0,stroke:#b07a1a
                class events,features,predictions,models,alerts,dead_letters topic
                class transform,learn,detect stage

            """)
    }

    @Test func quickstartDOTGolden() throws {
        #expect(TopologyGraph(try quickstart()).dot() == #"""
            digraph "driftline" {
                label="quickstart (at_least_once, brokers: embedded)";
                labelloc=t;
                rankdir=LR;
                node [fontname="Helvetica"];
                edge [fontname="Helvetica", fontsize=10];
                "events" [shape=cylinder, style=filled, fillcolor="#eef4ff", label="quickstart.events\n4 partitions"];
                "transform" [shape=box, style="rounded,filled", fillcolor="#fff4e0", label="transform\nstandard scaling, one_hot"];
                "features" [shape=cylinder, style=filled, fillcolor="#eef4ff", label="quickstart.features\n4 partitions"];
                "learn" [shape=box, style="rounded,filled", fillcolor="#fff4e0", label="learn\nlogistic_regression, sgd lr 0.01"];
                "predictions" [shape=cylinder, style=filled, fillcolor="#eef4ff", label="quickstart.predictions\n4 partitions"];
                "models" [shape=cylinder, style=filled, fillcolor="#eef4ff", label="quickstart.models\n1 partition, compacted"];
                "detect" [shape=box, style="rounded,filled", fillcolor="#fff4e0", label="detect\nadwin on error"];
                "alerts" [shape=cylinder, style=filled, fillcolor="#eef4ff", label="quickstart.drift-alerts\n1 partition"];
                "dead_letters" [shape=cylinder, style=filled, fillcolor="#eef4ff", label="quickstart.dlq\n1 partition"];
                "events" -> "transform";
                "transform" -> "features";
                "features" -> "learn";
                "learn" -> "predictions";
                "learn" -> "models";
                "predictions" -> "detect";
                "detect" -> "alerts";
                "alerts" -> "learn" [style=bold, color="#c0392b", label="on_drift: reset"];
                "models" -> "learn" [style=dashed, label="restore"];
                "transform" -> "dead_letters" [style=dashed, label="dead letters"];
                "learn" -> "dead_letters" [style=dashed, label="dead letters"];
                "detect" -> "dead_letters" [style=dashed, label="dead letters"];
            }

            """#)
    }

    @Test func controlEdgeNamesTheResponseAndLabelsAreEscaped() throws {
        let topology = try Topology.parse(yaml: """
            name: t
            schema: {target: y, categorical: [c]}
            stages:
              transform: {categorical: hash, hash_bits: 12, missing: indicator}
              learn: {model: logistic_regression, on_drift: {action: reset, scope: pipeline}}
              detect: {concept: {detector: ddm}}
            """)
        let graph = TopologyGraph(topology)
        let control = try #require(graph.edges.first { $0.kind == .control })
        #expect(control.from == "alerts")
        #expect(control.to == "learn")
        #expect(control.label == "on_drift: reset pipeline")
        #expect(graph.nodes.first { $0.id == "transform" }?.lines
            == ["transform", "standard scaling, hash 12 bits, missing indicator"])
        #expect(graph.edges.filter { $0.kind == .deadLetters }.map(\.from) == ["transform", "learn", "detect"])
        #expect(TopologyGraph.mermaidText(#"a "b" <c>"#) == "a #quot;b#quot; #lt;c#gt;")
        #expect(TopologyGraph.quoted("a \"b\"\nc\\d") == #""a \"b\"\nc\\d""#)
    }
}
