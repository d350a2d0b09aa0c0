/// The built-in stages of a topology. Each is optional, but a topology has at least one.
public struct TopologyStages: Sendable, Equatable {
    /// `stages.transform`; `nil` means the learner sees raw values.
    public var transform: TransformSettings?
    /// `stages.learn`.
    public var learn: LearnSettings?
    /// `stages.detect`.
    public var detect: DetectSettings?

    public init(transform: TransformSettings? = nil, learn: LearnSettings? = nil, detect: DetectSettings? = nil) {
        self.transform = transform
        self.learn = learn
        self.detect = detect
    }

    /// The stage names present, in pipeline order.
    public var names: [String] {
        var result: [String] = []
        if transform != nil { result.append("transform") }
        if learn != nil { result.append("learn") }
        if detect != nil { result.append("detect") }
        return result
    }
}
