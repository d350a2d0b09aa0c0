import Foundation
import Pipeline
import Testing

/// Every kind of topology error names the file, line, column and field path, and says what was
/// expected.
@Suite struct TopologyErrorTests {
    /// The rendered errors of loading `yaml` as `t.yaml` (empty if it loads).
    private func errors(_ yaml: String) -> [String] {
        do {
            _ = try Topology.parse(yaml: yaml, file: "t.yaml")
            return []
        } catch let errors as TopologyErrors {
            return errors.errors.map(\.description)
        } catch {
            Issue.record("unexpected error type: \(error)")
            return []
        }
    }

    private let learnHeader = """
        name: t
        schema: {target: y}
        stages:
          learn:
            model: logistic_regression

        """

    @Test func wrongTypeNamesLineColumnFieldAndExpectation() {
        let result = errors(learnHeader + """
                optimizer:
                  name: sgd
                  lr: fast
            """)
        #expect(result == [#"t.yaml:8:11: stages.learn.optimizer.lr: expected a positive number, got "fast""#])
    }

    @Test func quotedNumberIsNotANumber() {
        let result = errors(learnHeader + """
                l2: "0.001"
            """)
        #expect(result == [#"t.yaml:6:9: stages.learn.l2: expected a number >= 0, got "0.001""#])
    }

    @Test func negativeAndZeroNumbersAreRejected() {
        let result = errors(learnHeader + """
                optimizer: {name: adam, lr: 0, beta1: 1.5}
                publish: {every_events: 2.5}
            """)
        #expect(result == [
            "t.yaml:6:33: stages.learn.optimizer.lr: expected a positive number, got 0",
            "t.yaml:6:43: stages.learn.optimizer.beta1: expected a number between 0 and 1 (exclusive), got 1.5",
            "t.yaml:7:29: stages.learn.publish.every_events: expected a positive integer, got 2.5",
        ])
    }

    @Test func unknownKeyWithSuggestion() {
        let result = errors(learnHeader + """
                optimiser: {name: sgd}
            """)
        #expect(result == [
            "t.yaml:6:5: stages.learn.optimiser: unknown field (did you mean \"optimizer\"?); expected one of: "
                + "model, loss, optimizer, intercept_lr, l1, l2, clip_gradient, publish, on_drift",
        ])
    }

    @Test func unknownKeyWithoutSuggestion() {
        let result = errors("name: t\nstages: {transform: {}}\nreplicas: 3\n")
        #expect(result == [
            "t.yaml:3:1: replicas: unknown field; expected one of: "
                + "name, brokers, guarantee, topics, kafka, schema, stages, metrics",
        ])
    }

    @Test func optimizerKeysDependOnItsName() {
        let result = errors(learnHeader + """
                optimizer: {name: ftrl, lr: 0.1}
            """)
        #expect(result == [
            "t.yaml:6:29: stages.learn.optimizer.lr: unknown field (did you mean \"alpha\"?); "
                + "expected one of: name, alpha, beta, l1, l2",
        ])
    }

    @Test func badChoiceWithSuggestion() {
        let result = errors(learnHeader + """
              detect:
                concept: {detector: pagehinkley}
            """)
        #expect(result == [
            "t.yaml:7:25: stages.detect.concept.detector: expected one of adwin, page_hinkley, kswin, ddm, eddm, "
                + "hddm_a, hddm_w, got \"pagehinkley\" (did you mean \"page_hinkley\"?)",
        ])
    }

    @Test func missingRequiredFields() {
        #expect(errors("schema: {target: y}\nstages:\n  learn: {loss: log}\n") == [
            "t.yaml:1:1: missing required field \"name\" (the topology and model name)",
            "t.yaml:3:10: stages.learn: missing required field \"model\" "
                + "(logistic_regression or linear_regression)",
        ])
        #expect(errors("name: t\n") == [
            "t.yaml:1:1: missing required field \"stages\" (at least one of transform, learn, detect)",
        ])
        #expect(errors("name: t\nstages:\n  detect: {data: {window: 5}}\n") == [
            "t.yaml:3:18: stages.detect.data: missing required field \"test\" (ks, psi or chi2)",
        ])
    }

    @Test func detectCheckpointIntervalMustBeAPositiveInteger() {
        let detect = "name: t\nstages:\n  detect:\n    concept: {detector: adwin, input: {field: x}}\n"
        #expect(errors(detect + "    checkpoint: {every_events: 0}\n") == [
            "t.yaml:5:32: stages.detect.checkpoint.every_events: expected a positive integer, got 0",
        ])
        #expect(errors(detect + "    checkpoint: {every_event: 500}\n") == [
            "t.yaml:5:18: stages.detect.checkpoint.every_event: unknown field (did you mean \"every_events\"?); "
                + "expected one of: every_events",
        ])
        #expect(errors(detect + "    checkpoint: {every_events: 500}\n").isEmpty)
    }

    @Test func mappingExpectedButListGiven() {
        #expect(errors("name: t\nstages:\n  transform: [standard]\n") == [
            "t.yaml:3:14: stages.transform: expected a mapping, got a list",
        ])
        #expect(errors("- a\n") == ["t.yaml:1:1: expected a mapping with at least name and stages, got a list"])
    }

    @Test func emptyStagesAndEmptyFile() {
        #expect(errors("name: t\nstages: {}\n") == [
            "t.yaml:2:9: stages: expected at least one of transform, learn, detect",
        ])
        #expect(errors("") == ["t.yaml:1:1: the file is empty; expected a mapping with at least name and stages"])
    }

    @Test func yamlSyntaxErrorKeepsLibyamlPosition() {
        let result = errors("name: t\nstages:\n  learn: {model: x\n")
        #expect(result.count == 1)
        #expect(result.first?.hasPrefix("t.yaml:4:1: invalid YAML: did not find expected ',' or '}'") == true)
    }

    @Test func duplicateKeyPointsAtTheRepeat() {
        let result = errors("name: t\nstages:\n  transform: {}\n  learn: {model: linear_regression}\n"
                                + "  transform: {}\n")
        #expect(result == [#"t.yaml:5:3: duplicate key "transform" in one mapping (first at 3:3)"#])
    }

    @Test func learnNeedsATarget() {
        #expect(errors("name: t\nstages:\n  learn: {model: linear_regression}\n") == [
            "t.yaml:3:10: schema.target: a learn stage needs a target field: add schema: {target: FIELD}",
        ])
    }

    @Test func errorInputNeedsALearnStage() {
        #expect(errors("name: t\nstages:\n  detect:\n    concept: {detector: adwin, input: error}\n") == [
            "t.yaml:4:39: stages.detect.concept.input: watching the learner's error or loss needs a learn "
                + "stage; to watch a raw event field write input: {field: NAME}",
        ])
    }

    @Test func onDriftNeedsADetector() {
        #expect(errors(learnHeader + "    on_drift: reset\n") == [
            "t.yaml:6:15: stages.learn.on_drift: reacting to drift needs a concept detector in "
                + "stages.detect.concept",
        ])
    }

    @Test func crossFieldRules() {
        let result = errors("""
            name: t
            schema: {target: y, numeric: [a, b], categorical: [b, y]}
            topics: {events: shared, features: shared}
            stages:
              transform: {hash_bits: 10}
              learn: {model: logistic_regression, loss: squared}
              detect:
                concept: {detector: kswin, window_size: 20, stat_size: 30}
                data: {test: ks, alpha: 0.01, threshold: 0.2, reference: 100, window: 200}
            """)
        #expect(result == [
            #"t.yaml:2:52: schema.categorical[0]: "b" is also listed in schema.numeric"#,
            #"t.yaml:2:55: schema.categorical[1]: "y" is the target field and cannot be a feature"#,
            #"t.yaml:3:36: topics.features: "shared" is already the events topic; each role needs its own topic"#,
            "t.yaml:5:26: stages.transform.hash_bits: only applies to categorical: hash",
            #"t.yaml:6:45: stages.learn.loss: expected one of log, hinge for logistic_regression, got "squared""#,
            "t.yaml:8:60: stages.detect.concept.stat_size: must be at most half of window_size (20)",
            "t.yaml:9:46: stages.detect.data.threshold: ks uses alpha, not threshold",
            "t.yaml:9:75: stages.detect.data.window: must not exceed reference (100)",
        ])
    }

    @Test func reportsEveryProblemInFileOrder() {
        let result = errors("""
            name: bad name
            brokers: embeded
            guarantee: exactly-once
            stages:
              transform: {scale: zscore}
            metrics: {port: 70000}
            """)
        #expect(result == [
            "t.yaml:1:7: name: expected a name of letters, digits, '.', '_' or '-', got \"bad name\"",
            "t.yaml:2:10: brokers: expected embedded or a comma-separated list of host:port, got \"embeded\" "
                + "(did you mean \"embedded\"?)",
            "t.yaml:3:12: guarantee: expected one of at_least_once, exactly_once, got \"exactly-once\" "
                + "(did you mean \"exactly_once\"?)",
            "t.yaml:5:22: stages.transform.scale: expected one of standard, minmax, none, got \"zscore\"",
            "t.yaml:6:17: metrics.port: expected an integer from 0 to 65535, got 70000",
        ])
    }

    @Test func kafkaSettingsOwnedByDriftlineAreRejected() {
        #expect(errors("name: t\nstages: {transform: {}}\nkafka:\n  bootstrap.servers: x:9092\n") == [
            "t.yaml:4:22: kafka.bootstrap.servers: is set by Driftline from brokers; remove it from kafka:",
        ])
    }

    @Test func unreadableFileIsNamed() {
        #expect {
            try Topology.load(contentsOf: URL(fileURLWithPath: "/nonexistent/x.yaml"), displayName: "x.yaml")
        } throws: { error in
            guard let errors = error as? TopologyErrors, let first = errors.errors.first else { return false }
            return first.file == "x.yaml" && first.line == 1 && first.message.hasPrefix("cannot read the file")
        }
    }

    @Test func metricsHostMustBeAnIPv4Address() {
        let result = errors("""
            name: t
            stages: {transform: {}}
            metrics: {port: 0, host: localhost}
            """)
        #expect(result == [
            "t.yaml:3:26: metrics.host: expected an IPv4 address such as 127.0.0.1 (loopback) or 0.0.0.0 "
                + "(every interface), got \"localhost\"",
        ])
        #expect(errors("name: t\nstages: {transform: {}}\nmetrics: {host: 256.0.0.1}\n").count == 1)
        #expect(errors("name: t\nstages: {transform: {}}\nmetrics: {host: 010.0.0.1}\n").count == 1)
    }

    @Test func modelTopicMustStayCompacted() {
        let result = errors("""
            name: t
            stages: {transform: {}}
            topics:
              models:
                name: t.models
                config: {cleanup.policy: delete}
            """)
        #expect(result == [
            "t.yaml:6:30: topics.models.config.cleanup.policy: the model topic keeps the latest version of "
                + "each model: use compact (or compact,delete)",
        ])
        #expect(errors("""
            name: t
            stages: {transform: {}}
            topics: {models: {name: t.models, config: {cleanup.policy: "compact, delete"}}}
            """) == [])
    }
}
