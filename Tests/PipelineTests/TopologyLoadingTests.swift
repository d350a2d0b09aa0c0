import Foundation
import Monitoring
import Pipeline
import Testing
import TestSupport

/// Valid topology files load into the model, with every omitted field at its documented default.
@Suite struct TopologyLoadingTests {
    @Test func designExampleLoadsCompletely() throws {
        let topology = try Topology.parse(yaml: """
            name: phishing
            brokers: embedded              # or "kafka-1:9092,kafka-2:9092"
            guarantee: at_least_once
            topics:
              events: {name: phishing.events, partitions: 4}
              features: phishing.features
              predictions: phishing.predictions
              models: phishing.models
              alerts: phishing.drift-alerts
              dead_letters: phishing.dlq
            schema: {target: y, key: id, time: ts, numeric: auto, categorical: [country]}
            stages:
              transform: {scale: standard, categorical: one_hot, missing: mean}
              learn:
                model: logistic_regression
                optimizer: {name: sgd, lr: 0.1}
                intercept_lr: 0.01
                publish: {every_events: 1000, every_seconds: 5}
                on_drift: reset            # none | reset | challenger
              detect:
                concept: {detector: adwin, delta: 0.002, input: error}
                data: {test: ks, reference: 5000, window: 1000, alpha: 0.001}
            """)
        #expect(topology.name == "phishing")
        #expect(topology.brokers == .embedded)
        #expect(topology.guarantee == .atLeastOnce)
        #expect(topology.topics.events == TopicSettings(name: "phishing.events", partitions: 4))
        #expect(topology.topics.alerts.name == "phishing.drift-alerts")
        #expect(topology.topics.deadLetters.name == "phishing.dlq")
        #expect(topology.schema == EventSchema(target: "y", key: "id", time: "ts", numeric: .auto,
                                               categorical: ["country"]))
        #expect(topology.stages.transform == TransformSettings(scale: .standard, categorical: .oneHot,
                                                               missing: .mean))
        let learn = try #require(topology.stages.learn)
        #expect(learn.model == .logisticRegression)
        #expect(learn.loss == .log)
        #expect(learn.optimizer == OptimizerSettings(kind: .sgd(lr: 0.1)))
        #expect(learn.onDrift == .reset(scope: .model))
        #expect(learn.publish == PublishSettings(everyEvents: 1000, everySeconds: 5))
        let detect = try #require(topology.stages.detect)
        #expect(detect.concept == ConceptDriftSettings(
            detector: .adwin(delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10),
            input: .error))
        #expect(detect.data == DataDriftSettings(test: .ks, reference: 5000, window: 1000, alpha: 0.001))
        #expect(topology.metrics == nil)
    }

    @Test func minimalFileTakesDocumentedDefaults() throws {
        let topology = try Topology.parse(yaml: """
            name: tiny
            schema: {target: y}
            stages:
              learn: {model: linear_regression}
            """)
        #expect(topology.brokers == .embedded)
        #expect(topology.guarantee == .atLeastOnce)
        #expect(topology.topics.all.map(\.name) == [
            "tiny.events", "tiny.features", "tiny.predictions", "tiny.models", "tiny.drift-alerts", "tiny.dlq",
        ])
        #expect(topology.topics.events.partitions == nil)
        #expect(topology.kafka.isEmpty)
        #expect(topology.schema.numeric == .auto)
        #expect(topology.schema.categorical.isEmpty)
        #expect(topology.stages.transform == nil)
        #expect(topology.stages.detect == nil)
        let learn = try #require(topology.stages.learn)
        #expect(learn.loss == .squared)
        #expect(learn.optimizer.kind == .sgd(lr: 0.01))
        #expect(learn.optimizer.schedule == .constant)
        #expect(learn.interceptLR == 0.01)
        #expect(learn.l1 == 0 && learn.l2 == 0)
        #expect(learn.clipGradient == 1e12)
        #expect(learn.publish == PublishSettings(everyEvents: 1000, everySeconds: 5))
        #expect(learn.onDrift == .none)
    }

    @Test func transformDefaults() throws {
        let topology = try Topology.parse(yaml: """
            name: t
            stages: {transform: {}}
            """)
        let transform = try #require(topology.stages.transform)
        #expect(transform.scale == .standard)
        #expect(transform.categorical == .oneHot)
        #expect(transform.hashBits == 20)
        #expect(transform.missing == .none)
        #expect(transform.clip == nil)
    }

    @Test func transformVariants() throws {
        let topology = try Topology.parse(yaml: """
            name: t
            stages:
              transform: {scale: minmax, categorical: hash, hash_bits: 12, missing: {constant: -1.5}, clip: 5}
            """)
        #expect(topology.stages.transform == TransformSettings(scale: .minmax, categorical: .hash, hashBits: 12,
                                                               missing: .constant(-1.5), clip: 5))
    }

    @Test(arguments: [
        ("sgd", OptimizerSettings.Kind.sgd(lr: 0.01)),
        ("adagrad", .adagrad(lr: 0.1, eps: 1e-8)),
        ("adam", .adam(lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8)),
        ("ftrl", .ftrl(alpha: 0.05, beta: 1, l1: 0, l2: 1)),
    ])
    func optimizerShorthandTakesRiverDefaults(name: String, expected: OptimizerSettings.Kind) throws {
        let topology = try Topology.parse(yaml: """
            name: t
            schema: {target: y}
            stages: {learn: {model: logistic_regression, optimizer: \(name)}}
            """)
        #expect(topology.stages.learn?.optimizer == OptimizerSettings(kind: expected))
    }

    @Test func optimizerWithParametersAndSchedule() throws {
        let topology = try Topology.parse(yaml: """
            name: t
            schema: {target: y}
            stages:
              learn:
                model: logistic_regression
                loss: hinge
                optimizer: {name: adam, lr: 0.01, beta2: 0.99, schedule: {name: inverse_scaling, power: 0.25}}
                intercept_lr: 0
                l1: 0.5
                l2: 0.001
                clip_gradient: 100
                publish: {every_events: 10}
            """)
        let learn = try #require(topology.stages.learn)
        #expect(learn.loss == .hinge)
        #expect(learn.optimizer == OptimizerSettings(kind: .adam(lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8),
                                                     schedule: .inverseScaling(power: 0.25)))
        #expect(learn.interceptLR == 0)
        #expect(learn.l1 == 0.5 && learn.l2 == 0.001)
        #expect(learn.clipGradient == 100)
        #expect(learn.publish == PublishSettings(everyEvents: 10, everySeconds: 5))
    }

    @Test(arguments: [
        ("none", DriftResponse.none),
        ("reset", .reset(scope: .model)),
        ("challenger", .challenger(trial: 1000)),
        ("{action: challenger, trial: 250}", .challenger(trial: 250)),
        ("{action: reset, scope: pipeline}", .reset(scope: .pipeline)),
        ("{action: reset}", .reset(scope: .model)),
    ])
    func onDriftForms(text: String, expected: DriftResponse) throws {
        let topology = try Topology.parse(yaml: """
            name: t
            schema: {target: y}
            stages:
              learn: {model: logistic_regression, on_drift: \(text)}
              detect: {concept: {detector: adwin}}
            """)
        #expect(topology.stages.learn?.onDrift == expected)
    }

    @Test(arguments: [
        ("adwin", DetectorSettings.adwin(delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10)),
        ("page_hinkley", .pageHinkley(minInstances: 30, delta: 0.005, threshold: 50, alpha: 0.9999, mode: .both)),
        ("kswin", .kswin(alpha: 0.005, windowSize: 100, statSize: 30, seed: 42)),
        ("ddm", .ddm(warmStart: 30, warningThreshold: 2, driftThreshold: 3)),
        ("eddm", .eddm(warmStart: 30, alpha: 0.95, beta: 0.9)),
        ("hddm_a", .hddmA(driftConfidence: 0.001, warningConfidence: 0.005, twoSidedTest: false)),
        ("hddm_w", .hddmW(driftConfidence: 0.001, warningConfidence: 0.005, lambda: 0.05, twoSidedTest: false)),
    ])
    func detectorDefaults(name: String, expected: DetectorSettings) throws {
        let topology = try Topology.parse(yaml: """
            name: t
            schema: {target: y}
            stages:
              learn: {model: logistic_regression}
              detect: {concept: {detector: \(name)}}
            """)
        #expect(topology.stages.detect?.concept == ConceptDriftSettings(detector: expected, input: .error))
    }

    @Test func detectOnlyTopologyWatchesARawField() throws {
        let topology = try Topology.parse(yaml: """
            name: numeric
            stages:
              detect:
                concept: {detector: page_hinkley, threshold: 25, mode: up, input: {field: x}}
            """)
        #expect(topology.stages.names == ["detect"])
        #expect(topology.stages.detect?.concept == ConceptDriftSettings(
            detector: .pageHinkley(minInstances: 30, delta: 0.005, threshold: 25, alpha: 0.9999, mode: .up),
            input: .field("x")))
    }

    @Test func dataDriftDefaultsPerTest() throws {
        let topology = try Topology.parse(yaml: """
            name: t
            schema: {categorical: [country]}
            stages:
              detect:
                data: {test: psi, threshold: 0.1, bins: 5, features: [a, b]}
            """)
        #expect(topology.stages.detect?.data == DataDriftSettings(
            test: .psi, reference: 5000, window: 1000, alpha: 0.001, threshold: 0.1, bins: 5, features: ["a", "b"]))
        let chi2 = try Topology.parse(yaml: """
            name: t
            schema: {categorical: [country]}
            stages: {detect: {data: {test: chi2}}}
            """)
        #expect(chi2.stages.detect?.data == DataDriftSettings(test: .chi2))
    }

    @Test func brokersKafkaTopicsAndMetrics() throws {
        let topology = try Topology.parse(yaml: """
            name: t
            brokers: "kafka-1:9092, kafka-2:9093"
            guarantee: exactly_once
            kafka: {linger.ms: 5, compression.type: lz4, enable.auto.commit: false}
            topics:
              models: {name: t.m, partitions: 1, config: {cleanup.policy: compact, retention.ms: 1000}}
            stages: {transform: {}}
            metrics: {port: 9100}
            """)
        #expect(topology.brokers == .bootstrap(["kafka-1:9092", "kafka-2:9093"]))
        #expect(topology.brokers.bootstrapServers == "kafka-1:9092,kafka-2:9093")
        #expect(topology.guarantee == .exactlyOnce)
        #expect(topology.kafka == [
            KeyValueSetting(key: "linger.ms", value: "5"),
            KeyValueSetting(key: "compression.type", value: "lz4"),
            KeyValueSetting(key: "enable.auto.commit", value: "false"),
        ])
        #expect(topology.topics.models == TopicSettings(name: "t.m", partitions: 1, config: [
            KeyValueSetting(key: "cleanup.policy", value: "compact"),
            KeyValueSetting(key: "retention.ms", value: "1000"),
        ]))
        #expect(topology.topics.events.name == "t.events")
        #expect(topology.metrics == MetricsSettings(port: 9100))
        let defaultPort = try Topology.parse(yaml: "name: t\nstages: {transform: {}}\nmetrics: {}\n")
        #expect(defaultPort.metrics == MetricsSettings(port: 9464))
    }

    @Test func numericFieldNamesMayLookLikeNumbers() throws {
        let topology = try Topology.parse(yaml: """
            name: sine
            schema: {target: y, numeric: [0, 1]}
            stages: {learn: {model: logistic_regression}}
            """)
        #expect(topology.schema.numeric == .fields(["0", "1"]))
    }

    /// Every shipped topology file is valid.
    @Test func shippedTopologiesLoad() throws {
        let directory = Fixtures.repositoryRoot.appendingPathComponent("topologies")
        let files = try #require(FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.path < $1.path }
        #expect(files.count >= 22)
        for shipped in ["quickstart.yaml", "examples/classification.yaml", "examples/regression.yaml"] {
            #expect(files.map(\.path).contains(directory.appendingPathComponent(shipped).path), "\(shipped)")
        }
        for file in files {
            #expect(throws: Never.self, "\(file.path)") { try Topology.load(contentsOf: file) }
        }
    }

    @Test func metricsHostAndPortZero() throws {
        let topology = try Topology.parse(yaml: """
            name: t
            stages: {transform: {}}
            metrics: {port: 0, host: 0.0.0.0}
            """)
        #expect(topology.metrics == MetricsSettings(port: 0, host: "0.0.0.0"))
        #expect(MetricsSettings().host == "127.0.0.1")
        #expect(topology.topics[.deadLetters].name == "t.dlq")
        #expect(!topology.topics.models.isCompacted)
    }

    @Test func metricsEndpointFromFileAndFlags() throws {
        let without = try Topology.parse(yaml: "name: t\nstages: {transform: {}}\n")
        #expect(without.metricsServerConfiguration() == nil)
        #expect(without.metricsServerConfiguration(port: 0) == .init(host: "127.0.0.1", port: 0))
        #expect(without.metricsServerConfiguration(host: "0.0.0.0") == .init(host: "0.0.0.0", port: 9464))

        let with = try Topology.parse(yaml: "name: t\nstages: {transform: {}}\nmetrics: {port: 9100}\n")
        #expect(with.metricsServerConfiguration() == .init(host: "127.0.0.1", port: 9100))
        #expect(with.metricsServerConfiguration(port: 9200, host: "0.0.0.0") == .init(host: "0.0.0.0", port: 9200))
    }
}
