// swift-tools-version: 6.0
// Driftline: a streaming pipeline engine for online machine learning over Kafka.
//
// Sections: public products, dependencies, implementation targets, test targets.
// Swift 6 language mode (strict concurrency) is the default for tools-version 6.0.
import PackageDescription

let package = Package(
    name: "Driftline",
    platforms: [.macOS(.v14)],

    // MARK: - Public API
    products: [
        .executable(name: "driftline", targets: ["driftline"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "OnlineML", targets: ["OnlineML"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Monitoring", targets: ["Monitoring"]),
    ],

    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],

    // MARK: - Implementation
    targets: [
        /// librdkafka from Debian's `librdkafka-dev`: `rdkafka.h` then `rdkafka_mock.h`.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        /// Swift types over librdkafka. Knows nothing about machine learning.
        .target(
            name: "Kafka",
            dependencies: ["CRdKafka"]
        ),
        /// SHA-256 block compression on the x86 SHA extensions: a pure function of its input,
        /// in C because Swift has no intrinsics for those instructions (content hashes of every
        /// published model document). OnlineML falls back to its Swift rounds without them.
        .target(name: "CSHA256"),
        /// Pure, synchronous, deterministic online-ML math. No Kafka, no I/O.
        .target(
            name: "OnlineML",
            dependencies: ["CSHA256", .product(name: "RealModule", package: "swift-numerics")]
        ),
        /// Metrics every stage exports (names in one place), the Prometheus exposition, and a
        /// small `/metrics` + `/health` HTTP server over POSIX sockets.
        .target(
            name: "Monitoring",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        /// The engine: topology model and loading, stages, stage runner.
        .target(
            name: "Pipeline",
            dependencies: ["Kafka", "OnlineML", "Monitoring", "Yams"]
        ),
        /// Plain C produce/consume loops over librdkafka: the reference `driftline bench transport`
        /// measures the Swift layer against, in the same run.
        .target(
            name: "CKafkaReferenceLoop",
            linkerSettings: [.linkedLibrary("rdkafka")]
        ),
        /// The `driftline` command-line tool.
        .executableTarget(
            name: "driftline",
            dependencies: [
                "Kafka", "OnlineML", "Pipeline", "Monitoring", "CKafkaReferenceLoop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests
        /// Shared test helpers: broker processes by PID, free ports, fixtures.
        .target(
            name: "TestSupport",
            dependencies: ["Kafka"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", "TestSupport"]
        ),
        .testTarget(
            name: "OnlineMLTests",
            dependencies: [
                "OnlineML", "TestSupport",
                .product(name: "Numerics", package: "swift-numerics"),
            ]
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Pipeline", "Monitoring", "TestSupport"]
        ),
        .testTarget(
            name: "DriftlineCLITests",
            dependencies: ["TestSupport", "Kafka", "Pipeline"],
            exclude: ["python"]
        ),
    ]
)
