/// What the target means.
public enum LearningTask: String, Sendable, Hashable {
    /// A real-valued target.
    case regression
    /// A 0/1 target (booleans, 0/1 numbers, or strings compared with a positive label).
    case binaryClassification = "binary_classification"
}
