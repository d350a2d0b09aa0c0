/// The `Pipeline` module: the engine that runs stages over Kafka topics, and the topology model.
public enum PipelineModule {}
