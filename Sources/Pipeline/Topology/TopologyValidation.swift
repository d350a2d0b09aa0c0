/// Rules that relate several sections of a topology (each section alone was already checked
/// while reading). Problems are reported at the field that has to change.
struct TopologyValidation {
    let reader: TopologyReader

    func check(_ topology: Topology) {
        let stages = topology.stages
        let schema = topology.schema

        if let learn = stages.learn {
            if schema.target == nil {
                reader.fail(atPath: "stages.learn", reportedAs: "schema.target",
                            "a learn stage needs a target field: add schema: {target: FIELD}")
            }
            switch learn.onDrift {
            case .reset, .challenger:
                if stages.detect?.concept == nil {
                    reader.fail(atPath: "stages.learn.on_drift",
                                "reacting to drift needs a concept detector in stages.detect.concept")
                }
            case .none:
                break
            }
        }

        if let transform = stages.transform, transform.categorical != .hash,
           reader.wasGiven("stages.transform.hash_bits") {
            reader.fail(atPath: "stages.transform.hash_bits", "only applies to categorical: hash")
        }

        if let concept = stages.detect?.concept {
            let inputPath = reader.wasGiven("stages.detect.concept.input")
                ? "stages.detect.concept.input" : "stages.detect.concept"
            switch concept.input {
            case .error, .loss:
                if stages.learn == nil {
                    reader.fail(atPath: inputPath, reportedAs: "stages.detect.concept.input",
                                "watching the learner's error or loss needs a learn stage; "
                                    + "to watch a raw event field write input: {field: NAME}")
                }
                if concept.input == .loss, concept.detector.needsBinaryInput {
                    reader.fail(atPath: inputPath, reportedAs: "stages.detect.concept.input",
                                "\(concept.detector.name) works on a 0/1 error stream: use input: error")
                }
                if concept.detector.needsBinaryInput, stages.learn?.model == .linearRegression {
                    reader.fail(atPath: "stages.detect.concept.detector",
                                "\(concept.detector.name) needs a classifier's 0/1 errors; "
                                    + "linear regression's errors are real numbers (use adwin or page_hinkley)")
                }
            case .field(let field):
                if concept.detector.needsBinaryInput {
                    reader.fail(atPath: inputPath, reportedAs: "stages.detect.concept.input",
                                "\(concept.detector.name) works on a 0/1 error stream, not a raw field")
                }
                if schema.categorical.contains(field) {
                    reader.fail(atPath: "stages.detect.concept.input.field",
                                "\"\(field)\" is categorical; a detector watches a numeric field")
                }
            }
        }

        if let data = stages.detect?.data {
            if data.test == .chi2, data.features == nil, schema.categorical.isEmpty {
                reader.fail(atPath: "stages.detect.data.test",
                            "chi2 compares categorical fields: list them in schema.categorical or data.features")
            }
            if data.window > data.reference {
                reader.fail(atPath: "stages.detect.data.window",
                            "must not exceed reference (\(data.reference))")
            }
        }

        checkSchema(schema)
        checkTopics(topology.topics)
    }

    private func checkSchema(_ schema: EventSchema) {
        let reserved: [(role: String, name: String?)] = [("target", schema.target), ("key", schema.key),
                                                         ("time", schema.time)]
        for (index, field) in schema.categorical.enumerated() {
            let path = "schema.categorical[\(index)]"
            if let role = reserved.first(where: { $0.name == field })?.role {
                reader.fail(atPath: path, "\"\(field)\" is the \(role) field and cannot be a feature")
            }
            if case .fields(let numeric) = schema.numeric, numeric.contains(field) {
                reader.fail(atPath: path, "\"\(field)\" is also listed in schema.numeric")
            }
        }
        if case .fields(let numeric) = schema.numeric {
            for (index, field) in numeric.enumerated() {
                if let role = reserved.first(where: { $0.name == field })?.role {
                    reader.fail(atPath: "schema.numeric[\(index)]",
                                "\"\(field)\" is the \(role) field and cannot be a feature")
                }
            }
        }
    }

    private func checkTopics(_ topics: TopologyTopics) {
        let all = topics.all
        for (index, topic) in all.enumerated() {
            if let earlier = all[..<index].firstIndex(where: { $0.name == topic.name }) {
                let key = TopologyTopics.keys[index]
                reader.fail(atPath: "topics.\(key)",
                            "\"\(topic.name)\" is already the \(TopologyTopics.keys[earlier]) topic; "
                                + "each role needs its own topic")
            }
        }
        // Model versions are keyed by model name; deleting old segments would lose the only
        // copy of a model nobody retrained lately.
        let models = topics.models
        if models.config.contains(where: { $0.key == "cleanup.policy" }), !models.isCompacted {
            reader.fail(atPath: "topics.models.config.cleanup.policy",
                        "the model topic keeps the latest version of each model: use compact "
                            + "(or compact,delete)")
        }
    }
}
