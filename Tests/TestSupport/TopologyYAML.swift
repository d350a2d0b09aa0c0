/// The topology most pipeline tests run — standard scaling, logistic regression by SGD, ADWIN
/// on the prequential error — written once, so that each test states only what differs: the
/// learning rate, how often the learner publishes and what it does on drift.
public enum TopologyYAML {
    /// The entries of `stages:` (indented two spaces, to follow a `stages:` line): transform,
    /// learn with `lr`, `publish: {every_events, every_seconds}` and `on_drift` (left out when
    /// nil, so the default `none`), and detect unless `detect` is false.
    public static func stages(
        lr: Double, everyEvents: Int, everySeconds: Int, onDrift: String? = nil, detect: Bool = true
    ) -> String {
        var lines = [
            "  transform: {scale: standard}",
            "  learn:",
            "    model: logistic_regression",
            "    optimizer: {name: sgd, lr: \(lr)}",
            "    publish: {every_events: \(everyEvents), every_seconds: \(everySeconds)}",
        ]
        if let onDrift { lines.append("    on_drift: \(onDrift)") }
        if detect { lines += ["  detect:", "    concept: {detector: adwin, delta: 0.002, input: error}"] }
        return lines.joined(separator: "\n")
    }

    /// A topology called `name` whose events, features and predictions topics (`NAME.events`, …)
    /// have one partition each, over ``stages(lr:everyEvents:everySeconds:onDrift:detect:)``.
    public static func onePartition(
        name: String, lr: Double, everyEvents: Int, everySeconds: Int, onDrift: String? = nil
    ) -> String {
        """
        name: \(name)
        topics:
          events: {name: \(name).events, partitions: 1}
          features: {name: \(name).features, partitions: 1}
          predictions: {name: \(name).predictions, partitions: 1}
        schema: {target: y}
        stages:
        \(stages(lr: lr, everyEvents: everyEvents, everySeconds: everySeconds, onDrift: onDrift))
        """
    }
}
