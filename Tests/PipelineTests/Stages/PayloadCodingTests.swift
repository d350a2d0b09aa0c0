import Kafka
import OnlineML
import Pipeline
import Testing

/// The topic payloads: canonical bytes written directly equal the generic canonical encoder's,
/// and decoding gives the record back.
@Suite struct PayloadCodingTests {
    static let source = SourcePosition(topic: "t.events", partition: 2, offset: 41)

    static let features: [FeaturesRecord] = [
        FeaturesRecord(
            source: source, key: "id-\"7\"\n", time: .string("2024-01-01T00:00:00Z"), label: 1,
            fields: [EventField("x", .number(0.1)), EventField("c", .string("fr\u{1}")), EventField("b", .bool(true)),
                     EventField("n", .null), EventField("y", .number(1)), EventField("big", .number(1e300)),
                     EventField("neg", .number(-0.0))]),
        FeaturesRecord(source: source, key: nil, time: nil, label: nil, fields: []),
    ]

    /// The members after `event` are canonical JSON: the record without `event` equals the
    /// generic encoder's output of the same members.
    @Test(arguments: features)
    func featuresRecordsRoundTripWithCanonicalMembers(_ record: FeaturesRecord) throws {
        let encoded = record.encoded()
        #expect(try FeaturesRecord(decoding: encoded) == record)
        var json = try #require(try CanonicalJSON.parse(String(decoding: encoded, as: UTF8.self)).objectValue)
        #expect(json.removeValue(forKey: "event")?.objectValue?.count == Set(record.fields.map(\.name)).count)
        let expected = CanonicalJSON.encodeBytes(.object(json))
        let text = String(decoding: encoded, as: UTF8.self)
        let eventEnd = try #require(text.range(of: ",\"format\":"))
        #expect(Array(("{\"format\":" + text[eventEnd.upperBound...]).utf8) == expected)
    }

    /// The transform copies the event's own text; reading it back parses that text with the
    /// event parser's rules (same fields, same order, same doubles).
    @Test func theEventTextIsCopiedVerbatimAndParsesToTheSameEvent() throws {
        let text = #"{ "x" : 0.30000000000000004, "c":"caf\u00e9 \"q\"", "y":1,"n":null, "b" : false }"#
        let event = try JSONEventParser.parse(text)
        let record = FeaturesRecord(source: Self.source, key: "k", time: nil, label: 1, fields: event.fields)
        let encoded = Array(text.utf8).withUnsafeBufferPointer { record.encoded(eventJSON: $0) }
        #expect(String(decoding: encoded, as: UTF8.self).hasPrefix("{\"event\":" + text + ",\"format\":\"driftline.features\",\"format_version\":2,"))
        let decoded = try FeaturesRecord(decoding: encoded)
        #expect(decoded == record)
        #expect(decoded.event == event)
        #expect(try FeaturesRecord(decoding: record.encoded()) == record)
    }

    /// Records are written through a stack buffer of `CanonicalWriter.capacity` bytes, flushed
    /// to the record's array when full: event texts and keys around and past that size give the
    /// whole text (the members as `encoded()` writes them from the fields) and the same record.
    @Test(arguments: [0, 700, 800, 900, 1000, 1100, 3000])
    func recordsLongerThanTheStackBufferAreWhole(_ padding: Int) throws {
        let text = "{\"s\":\"" + String(repeating: "p", count: padding) + "\",\"y\":1}"
        let event = try JSONEventParser.parse(text)
        let key = "k\"" + String(repeating: "q", count: padding / 3)
        let record = FeaturesRecord(source: Self.source, key: key, time: .string("t"), label: 1, fields: event.fields)
        let encoded = Array(text.utf8).withUnsafeBufferPointer { record.encoded(eventJSON: $0) }
        let members = String(decoding: record.encoded(), as: UTF8.self)
        let membersStart = try #require(members.range(of: ",\"format\":"))
        #expect(String(decoding: encoded, as: UTF8.self) == "{\"event\":" + text + members[membersStart.lowerBound...])
        #expect(try FeaturesRecord(decoding: encoded) == record)
        let prediction = PredictionRecord(
            model: "m", modelKey: "m/" + String(repeating: "r", count: padding), modelVersion: 3, source: Self.source,
            input: Self.source, key: key, time: .number(0.25), prediction: 1, probability: 0.5, label: 1, loss: 0.69,
            error: 0)
        #expect(prediction.encoded() == CanonicalJSON.encodeBytes(prediction.json))
    }

    @Test func version1RecordsAreStillReadAndTheirVectorsSkipped() throws {
        let text = """
            {"fields":[["x",0.5],["c","a"]],"format":"driftline.features","format_version":1,"key":"k","label":1.0,\
            "learn":[["x",1.0]],"predict":[["c=a",1.0]],"source":{"offset":3,"partition":1,"topic":"e"},"time":7}
            """
        let record = try FeaturesRecord(decoding: Array(text.utf8))
        #expect(record == FeaturesRecord(
            source: SourcePosition(topic: "e", partition: 1, offset: 3), key: "k", time: .number(7), label: 1,
            fields: [EventField("x", .number(0.5)), EventField("c", .string("a"))]))
    }

    @Test(arguments: [
        PredictionRecord(
            model: "m", modelKey: "m/3", modelVersion: 12, source: source,
            input: SourcePosition(topic: "t.features", partition: 3, offset: 9), key: "k", time: .number(1.5e9),
            prediction: 1, probability: 0.73, label: 0, loss: 1.31, error: 1),
        PredictionRecord(
            model: "m", modelKey: "m", modelVersion: 0, source: source, input: source, key: nil, time: nil,
            prediction: -3.25, probability: nil, label: nil, loss: nil, error: nil),
    ])
    func predictionRecordsAreCanonicalAndRoundTrip(_ record: PredictionRecord) throws {
        #expect(record.encoded() == CanonicalJSON.encodeBytes(record.json))
        #expect(try PredictionRecord(decoding: record.encoded()) == record)
    }

    @Test(arguments: [
        "", "{", "{\"format\":\"driftline.features\",\"format_version\":1}",
        "{\"format\":\"driftline.features\",\"format_version\":1,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1},\"fields\":[[\"x\",[1]]]}",
        "{\"format\":\"driftline.features\",\"format_version\":1,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1},\"fields\":[]} x",
        "{\"format\":\"driftline.features\",\"format_version\":1,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1},\"fields\":[[\"x\",1,2]]}",
        "{\"format\":\"driftline.features\",\"format_version\":2,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1}}",
        "{\"event\":{\"x\":1,\"x\":2},\"format\":\"driftline.features\",\"format_version\":2,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1}}",
        "{\"event\":{\"x\":[1]},\"format\":\"driftline.features\",\"format_version\":2,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1}}",
        "{\"event\":{},\"format\":\"driftline.features\",\"format_version\":2,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1.5}}",
    ])
    func malformedFeaturesAreRefused(_ text: String) {
        #expect(throws: PayloadError.self) { try FeaturesRecord(decoding: Array(text.utf8)) }
    }

    @Test func membersMayComeInAnyOrderWithWhitespace() throws {
        let text = """
            { "fields" : [ ["x", 2] , ["c","a\\u00e9"] ], "source": {"partition": 1, "offset": 5, "topic": "e"},
              "format_version": 1, "format": "driftline.features", "extra": {"ignored": [1, {"a": null}]} }
            """
        let record = try FeaturesRecord(decoding: Array(text.utf8))
        #expect(record.fields == [EventField("x", .number(2)), EventField("c", .string("a\u{e9}"))])
        #expect(record.source == SourcePosition(topic: "e", partition: 1, offset: 5))
    }

    @Test func unknownFormatsAndVersionsAreRefused() {
        #expect(throws: PayloadError.self) { try FeaturesRecord(decoding: Array("{\"format\":\"other\"}".utf8)) }
        let future = "{\"event\":{},\"format\":\"driftline.features\",\"format_version\":3,\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1}}"
        #expect {
            try FeaturesRecord(decoding: Array(future.utf8))
        } throws: { error in
            (error as? PayloadError)?.message.contains("unsupported driftline.features format_version 3") == true
        }
        #expect(throws: PayloadError.self) { try PredictionRecord(decoding: nil) }
    }
}
