extension ModelDocument {
    /// Canonical JSON bytes of the full document (what ``encoded()`` returns as text).
    ///
    /// A learner publishes a document every few thousand events on its processing thread, so
    /// this is on the hot path: the hashed content is written straight into the output buffer
    /// (no ``JSONValue`` tree for the per-feature members) behind `content_hash` (a placeholder
    /// digest until the content is hashed where it lies) and `created_at` — both keys sort
    /// before every other member, so the canonical order holds, and the content is never
    /// copied.
    public func encodedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: "{\"content_hash\":\"sha256:".utf8)
        let digestAt = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 64))
        out.append(contentsOf: "\",\"created_at\":".utf8)
        if let createdAt {
            CanonicalJSON.writeString(createdAt, into: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        // The hashed content follows as one object; its opening `{` is hashed, then becomes the
        // `,` that joins its members to the head's.
        let contentAt = out.count
        writeHashedContent(into: &out)
        var hasher = SHA256()
        out.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[contentAt...])) }
        out[contentAt] = UInt8(ascii: ",")
        var digest: [UInt8] = []
        SHA256.appendHex(hasher.finalize(), into: &digest)
        out.replaceSubrange(digestAt..<(digestAt + 64), with: digest)
        return out
    }

    /// `CanonicalJSON.encodeBytes(hashedContent)`, written directly: the bytes the content
    /// hash covers.
    public func hashedContentBytes() -> [UInt8] {
        var out: [UInt8] = []
        writeHashedContent(into: &out)
        return out
    }

    /// Appends the hashed content. The per-feature objects (weights, optimizer and L1 state)
    /// are written in the features' canonical name order, sorted once for all of them (and
    /// mostly kept from the model's previous document: ``FeatureNameOrder``).
    private func writeHashedContent(into out: inout [UInt8]) {
        let config = pipeline.configuration
        let names = pipeline.vocabulary.names
        let learner = pipeline.learner
        let sorted = pipeline.nameOrder.entry(for: names)
        // Room for it all, so the buffer is not regrown while writing: the names in id order
        // (the features list, and about as much for the transformer's categories), then per
        // keyed member each name, a number of at most 24 bytes and two separators.
        let keyed = 1 + learner.optimizer.stateArrays().count + (learner.configuration.l1 != 0 ? 1 : 0)
        out.reserveCapacity(out.count + 4096 + 2 * sorted.list.count + keyed * (sorted.list.count + 26 * names.count))
        var members: [(key: String, write: (inout [UInt8]) -> Void)] = [
            ("format", { CanonicalJSON.writeString(Self.formatName, into: &$0) }),
            ("format_version", { CanonicalJSON.writeInteger(Int64(Self.formatVersion), into: &$0) }),
            ("name", { CanonicalJSON.writeString(name, into: &$0) }),
            ("version", { CanonicalJSON.writeInteger(Int64(version), into: &$0) }),
            ("parent_version", { out in
                if let parentVersion { CanonicalJSON.writeInteger(Int64(parentVersion), into: &out) } else { out.append(contentsOf: "null".utf8) }
            }),
            ("task", { CanonicalJSON.writeString(config.task.rawValue, into: &$0) }),
            ("schema", { CanonicalJSON.write(config.schema.json, into: &$0) }),
            ("hyper_parameters", { out in
                CanonicalJSON.write(.object([
                    "transformer": config.transformer.json,
                    "learner": config.learner.json,
                    "positive_label": config.positiveLabel.map { .string($0) } ?? .null,
                ]), into: &out)
            }),
            ("features", { out in
                out.append(UInt8(ascii: "["))
                out.append(contentsOf: sorted.list)
                out.append(UInt8(ascii: "]"))
            }),
            ("transformer_state", { pipeline.transformer.writeStateJSON(into: &$0) }),
            ("events_learned", { CanonicalJSON.writeInteger(Int64(pipeline.eventsLearned), into: &$0) }),
            ("training_offsets", { CanonicalJSON.write(.array(trainingOffsets.map(\.json)), into: &$0) }),
            ("metrics", { CanonicalJSON.write(.object(metrics.mapValues { .number($0.isFinite ? $0 : 0) }), into: &$0) }),
            ("weights", { Self.writeKeyed(learner.weights, sorted, into: &$0) }),
            ("intercept", { CanonicalJSON.writeNumber(learner.intercept, into: &$0) }),
            ("optimizer_state", { out in
                var state: [(key: String, write: (inout [UInt8]) -> Void)] = [
                    ("name", { CanonicalJSON.writeString(learner.optimizer.configuration.name, into: &$0) }),
                    ("step_count", { CanonicalJSON.writeInteger(Int64(learner.optimizer.stepCount), into: &$0) }),
                ]
                for (name, values) in learner.optimizer.stateArrays() {
                    state.removeAll { $0.key == name }  // as the dictionary of `stateJSON`: the last wins
                    state.append((name, { Self.writeKeyed(values, sorted, into: &$0) }))
                }
                Self.writeObject(state, into: &out)
            }),
        ]
        if learner.configuration.l1 != 0 {
            members.append(("l1_state", { out in
                out.append(contentsOf: "{\"cumulative\":".utf8)
                Self.writeKeyed(learner.cumulativeL1, sorted, into: &out)
                out.append(contentsOf: ",\"max_cumulative\":".utf8)
                CanonicalJSON.writeNumber(learner.maxCumulativeL1, into: &out)
                out.append(UInt8(ascii: "}"))
            }))
        }
        if let lineage { members.append(("lineage", { CanonicalJSON.write(lineage, into: &$0) })) }
        Self.writeObject(members, into: &out)
    }

    /// An object of distinct keys, each value written by its closure, in canonical key order.
    private static func writeObject(_ members: [(key: String, write: (inout [UInt8]) -> Void)], into out: inout [UInt8]) {
        let sorted = members.sorted { CanonicalJSON.utf8Precedes($0.key, $1.key) }
        out.append(UInt8(ascii: "{"))
        for (k, member) in sorted.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            member.write(&out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `{name: value}` for every feature, in canonical name order (`sorted`, whose names are
    /// written already); a feature past the end of `values` has 0, as
    /// ``LinearModel/stateJSON(names:)`` writes it.
    /// The pieces go through ``CanonicalWriter``.
    private static func writeKeyed(_ values: [Double], _ sorted: FeatureNameOrder.Entry, into out: inout [UInt8]) {
        CanonicalWriter.appending(to: &out) { staged in
            staged.byte(UInt8(ascii: "{"))
            values.withUnsafeBufferPointer { values in
                sorted.list.withUnsafeBufferPointer { strings in
                    sorted.order.withUnsafeBufferPointer { order in
                        for k in order.indices {
                            if k > 0 { staged.byte(UInt8(ascii: ",")) }
                            staged.raw(sorted.string(k, in: strings))
                            staged.byte(UInt8(ascii: ":"))
                            let id = order[k]
                            staged.number(id < values.count ? values[id] : 0)
                        }
                    }
                }
            }
            staged.byte(UInt8(ascii: "}"))
        }
    }
}
