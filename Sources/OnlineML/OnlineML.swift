/// The `OnlineML` module: pure, synchronous, deterministic online-learning math (transforms,
/// learners, metrics, drift detectors, model documents). No Kafka, no I/O.
public enum OnlineMLModule {}
