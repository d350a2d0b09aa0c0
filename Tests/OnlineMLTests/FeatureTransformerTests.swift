import OnlineML
import Testing

@Suite struct FeatureTransformerTests {
    /// Learn mode scales with statistics that include the event; predict mode with earlier
    /// events only; variance 0 scales to 0.
    @Test func standardScalerLearnThenTransform() throws {
        var t = FeatureTransformer(configuration: .init(scaling: .standard), schema: Schema(target: "y"))
        var vocabulary = FeatureVocabulary()
        var v = FeatureVector()

        try t.transformOne(Event(["x": .number(2)]), into: &v)
        #expect(v.isEmpty)  // unseen field: nothing to weigh yet
        try t.learnTransformOne(Event(["x": .number(2)]), into: &v, vocabulary: &vocabulary)
        #expect(v.values == [0])  // one value: variance 0
        try t.learnTransformOne(Event(["x": .number(4)]), into: &v, vocabulary: &vocabulary)
        // mean 3, population variance 1 → (4 − 3) / 1
        #expect(v.values == [1])
        try t.transformOne(Event(["x": .number(5)]), into: &v)
        #expect(v.values == [2])
        let s = try #require(t.statistics(of: "x"))
        #expect(s.count == 2 && s.mean == 3 && s.variance == 1)
    }

    @Test func minMaxScaling() throws {
        var t = FeatureTransformer(configuration: .init(scaling: .minMax))
        var vocabulary = FeatureVocabulary()
        var v = FeatureVector()
        for x in [3.0, 1, 5] { try t.learnTransformOne(Event(["x": .number(x)]), into: &v, vocabulary: &vocabulary) }
        #expect(v.values == [1])
        try t.transformOne(Event(["x": .number(2)]), into: &v)
        #expect(v.values == [0.25])
    }

    @Test func oneHotEmitsOnlyPresentCategories() throws {
        var t = FeatureTransformer(configuration: .init(scaling: .none), schema: Schema(target: "y", key: "id"))
        var vocabulary = FeatureVocabulary()
        var v = FeatureVector()
        try t.learnTransformOne(Event(["id": .string("k1"), "c": .string("red"), "y": .number(1)]), into: &v, vocabulary: &vocabulary)
        try t.learnTransformOne(Event(["id": .string("k2"), "c": .string("blue"), "y": .number(0)]), into: &v, vocabulary: &vocabulary)
        #expect(vocabulary.names == ["c=red", "c=blue"])
        #expect(v.indices == [1] && v.values == [1])
        try t.transformOne(Event(["c": .string("green")]), into: &v)
        #expect(v.isEmpty)
        #expect(t.kind(of: "c") == .categorical)
        #expect(t.kind(of: "id") == nil)
    }

    @Test func declaredCategoricalAcceptsNumbersAndBooleans() throws {
        var t = FeatureTransformer(schema: Schema(numeric: .fields(["x"]), categorical: ["zip"]))
        var vocabulary = FeatureVocabulary()
        var v = FeatureVector()
        try t.learnTransformOne(Event(["zip": .number(75001), "x": .number(1), "other": .number(9)]), into: &v, vocabulary: &vocabulary)
        try t.learnTransformOne(Event(["zip": .bool(true)]), into: &v, vocabulary: &vocabulary)
        #expect(vocabulary.names == ["x", "zip=75001", "zip=true"])
    }

    @Test func autoSchemaLocksKinds() throws {
        var t = FeatureTransformer()
        var vocabulary = FeatureVocabulary()
        var v = FeatureVector()
        try t.learnTransformOne(Event(["a": .number(1), "b": .string("x"), "n": .null]), into: &v, vocabulary: &vocabulary)
        #expect(throws: EventRejection.typeMismatch(field: "a", expected: .numeric, found: "string")) {
            try t.learnTransformOne(Event(["a": .string("1")]), into: &v, vocabulary: &vocabulary)
        }
        // A field that was only null so far is still open; a new field is inferred when it appears.
        try t.learnTransformOne(Event(["n": .string("z"), "late": .bool(true)]), into: &v, vocabulary: &vocabulary)
        #expect(t.kind(of: "n") == .categorical)
        #expect(t.kind(of: "late") == .numeric)
        #expect(t.kind(of: "b") == .categorical)
    }

    @Test func hashingIsStableAcrossProcesses() throws {
        // FNV-1a 64 reference vectors.
        #expect(StableHash.fnv1a("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a("foobar".utf8) == 0x8594_4171_f739_67e8)
        #expect(StableHash.featureHash(field: "c", value: "red") == StableHash.fmix64(StableHash.fnv1a("c=red".utf8)))

        var t = FeatureTransformer(configuration: .init(scaling: .none, categorical: .hashing(bits: 3)))
        var vocabulary = FeatureVocabulary()
        var v = FeatureVector()
        try t.learnTransformOne(Event(["c": .string("red"), "d": .string("red")]), into: &v, vocabulary: &vocabulary)
        let bucketC = Int(StableHash.featureHash(field: "c", value: "red") & 7)
        let bucketD = Int(StableHash.featureHash(field: "d", value: "red") & 7)
        #expect(vocabulary.names.contains("#\(bucketC)") && vocabulary.names.contains("#\(bucketD)"))
        #expect(v.values.reduce(0, +) == 2)  // collisions add up
    }

    @Test func missingValuesMeanConstantIndicator() throws {
        var t = FeatureTransformer(configuration: .init(scaling: .none, missing: .mean, missingIndicator: true))
        var vocabulary = FeatureVocabulary()
        var v = FeatureVector()
        try t.learnTransformOne(Event(["x": .number(2), "c": .string("a")]), into: &v, vocabulary: &vocabulary)
        try t.learnTransformOne(Event(["x": .number(4), "c": .string("a")]), into: &v, vocabulary: &vocabulary)
        try t.learnTransformOne(Event(["x": .null]), into: &v, vocabulary: &vocabulary)
        let x = try #require(vocabulary.id(of: "x")), xm = try #require(vocabulary.id(of: "x:missing"))
        let cm = try #require(vocabulary.id(of: "c:missing"))
        #expect(Dictionary(uniqueKeysWithValues: zip(v.indices, v.values)) == [x: 3, xm: 1, cm: 1])
        #expect(t.statistics(of: "x")!.count == 2)  // imputed values are not learned

        var c = FeatureTransformer(configuration: .init(scaling: .none, missing: .constant(-1)))
        try c.learnTransformOne(Event(["x": .number(2)]), into: &v, vocabulary: &vocabulary)
        try c.learnTransformOne(Event(["other": .number(2)]), into: &v, vocabulary: &vocabulary)
        #expect(v.values.contains(-1))
    }

    @Test func clipping() throws {
        var t = FeatureTransformer(configuration: .init(scaling: .standard, inputClip: -10...10, outputClip: 2))
        var vocabulary = FeatureVocabulary()
        var v = FeatureVector()
        for x in [0.0, 1, 0, 1, 0, 1] { try t.learnTransformOne(Event(["x": .number(x)]), into: &v, vocabulary: &vocabulary) }
        try t.learnTransformOne(Event(["x": .number(1e308)]), into: &v, vocabulary: &vocabulary)
        #expect(t.statistics(of: "x")!.maximum == 10)
        #expect(v.values == [2])
    }

    @Test func rejectedEventLeavesStateUnchanged() throws {
        var t = FeatureTransformer(schema: Schema(target: "y"))
        var vocabulary = FeatureVocabulary()
        var v = FeatureVector()
        try t.learnTransformOne(Event(["a": .number(1), "b": .number(2)]), into: &v, vocabulary: &vocabulary)
        let before = t
        for bad in [
            Event(["a": .number(5), "b": .number(.nan)]), Event(["a": .number(5), "b": .number(.infinity)]),
            Event(["a": .number(5), "b": .number(1e308)]), Event(["a": .number(5), "b": .string("2")]),
        ] {
            #expect(throws: EventRejection.self) { try t.learnTransformOne(bad, into: &v, vocabulary: &vocabulary) }
        }
        #expect(t == before)
        #expect(vocabulary.names == ["a", "b"])
    }

    @Test func canonicalVectorsMergeDuplicates() {
        let v = FeatureVector(indices: [5, 1, 3, 1], values: [1, 2, 3, 4])
        #expect(v.indices == [1, 3, 5] && v.values == [6, 3, 1])
    }
}
