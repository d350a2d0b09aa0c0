// Named-feature conveniences over id-based vectors.

extension LinearModel {
    /// The weight of a named feature (0 when unseen).
    public func weight(of name: String, in vocabulary: FeatureVocabulary) -> Double {
        guard let j = vocabulary.id(of: name), j < weights.count else { return 0 }
        return weights[j]
    }
}

extension FeatureVocabulary {
    /// A canonical vector of named features, assigning ids to new names.
    public mutating func intern(_ features: [(String, Double)]) -> FeatureVector {
        var x = FeatureVector()
        for (name, value) in features { x.append(intern(name), value) }
        x.canonicalize()
        return x
    }

    /// A canonical vector of the known features only (unknown ones weigh 0 anyway).
    public func lookup(_ features: [(String, Double)]) -> FeatureVector {
        var x = FeatureVector()
        for (name, value) in features {
            if let j = id(of: name) { x.append(j, value) }
        }
        x.canonicalize()
        return x
    }
}
