@testable import OnlineML
import Testing

/// The chain's fast paths give what the plain ones give: category and vocabulary tables,
/// reused field names, member keys read in place, and the transform's validate-only learning.
@Suite struct HotPathEquivalenceTests {
    @Test func categoryTableFindsShortAndLongKeysAndKeepsIDs() {
        var table = CategoryTable()
        // Short keys (≤ 7 bytes, kept in the slot), long ones (confirmed in `keys`), the empty
        // key, and keys sharing a hash prefix; enough of them to grow the table several times.
        var keys = ["", "a", "c0_720", "1234567", "12345678", "cat0=c0_720", "é", "x\u{0}y"]
        for k in 0..<300 { keys.append(k % 2 == 0 ? "c\(k)" : "category-number-\(k)") }
        for (id, key) in keys.enumerated() { table[key] = id }
        for (id, key) in keys.enumerated() { #expect(table[key] == id, "\(key)") }
        for missing in ["b", "c0_72", "c0_7200", "1234568", "cat0=c0_721", "category-number-2"] {
            #expect(table[missing] == nil, "\(missing)")
        }
        // Updating keeps one entry; an id beyond 32 bits reads back whole.
        table["c0_720"] = 5_000_000_000
        table["cat0=c0_720"] = -7
        #expect(table["c0_720"] == 5_000_000_000)
        #expect(table["cat0=c0_720"] == -7)
        #expect(table.count == keys.count)
        #expect(table.idOrInsert("a", newID: 99) == 1)
        #expect(table.idOrInsert("new", newID: 99) == nil)
        #expect(table["new"] == 99)
    }

    @Test func remappingTrailingIDsUpdatesLookups() {
        var table = CategoryTable()
        for (id, key) in ["old", "older-than-seven", "n1", "new-and-long"].enumerated() { table[key] = 10 + id }
        // Ids 12 and 13 are new: swap them.
        table.remapTrailingIDs(atLeast: 12) { $0 == 12 ? 13 : 12 }
        #expect(table["old"] == 10)
        #expect(table["older-than-seven"] == 11)
        #expect(table["n1"] == 13)
        #expect(table["new-and-long"] == 12)
        #expect(table.ids == [10, 11, 13, 12])
    }

    @Test func vocabularyInternsInFirstSeenOrder() {
        var vocabulary = FeatureVocabulary(names: ["x0", "cat0=c0_1", "x0", "y"])
        #expect(vocabulary.names == ["x0", "cat0=c0_1", "y"])
        #expect(vocabulary.intern("cat0=c0_1") == 1)
        #expect(vocabulary.intern("cat1=c1_2") == 3)
        #expect(vocabulary.id(of: "y") == 2)
        #expect(vocabulary.id(of: "cat2=c2_3") == nil)
        #expect(vocabulary.namesAreSorted(from: 1) == false)  // "cat0=…", "y", "cat1=…"
        #expect(vocabulary.namesAreSorted(from: 2) == false)
        #expect(vocabulary.namesAreSorted(from: 3))
    }

    /// Names of 8+ bytes whose scanner keys agree (same first and last 8 bytes and length)
    /// but whose middles differ must not be reused.
    @Test func reusedFieldNamesParseTheSameEvents() throws {
        let lines = [
            #"{"id":1,"x0":0.5,"aaaaaaaa1bbbbbbbb":1,"cat0":"c"}"#,
            #"{"id":2,"x0":0.25,"aaaaaaaa2bbbbbbbb":2,"cat0":"d"}"#,
            #"{"x0":3,"id":4,"a\u0062":5,"cat0":"e","extra_field_name":true}"#,
            #"{"id":1,"x0":0.5,"aaaaaaaa1bbbbbbbb":1,"cat0":"c"}"#,
            #"{"id":1,"id":2}"#,
        ]
        var names = EventFieldNames()
        for line in lines {
            switch Self.parseFreshAndReused(line, &names) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(line)")
            case (.failure(let a), .failure(let b)): #expect(a.description == b.description, "\(line)")
            default: Issue.record("one parse failed and the other did not: \(line)")
            }
        }
    }

    /// Fields that repeat the previous accepted event's names in order skip the duplicate
    /// check; a duplicate still fails every way it can follow such fields: after a cached
    /// prefix, as the field after the cached layout, beyond 32 fields, spelt with an escape,
    /// after a rejected event, and with a long name whose hash key equals nothing else.
    @Test func cachedLayoutsStillFindDuplicates() throws {
        let wide = (0..<40).map { "\"f\($0)\":\($0)" }.joined(separator: ",")
        let lines = [
            #"{"id":1,"x0":0.5,"cat0":"c","y":1}"#,
            #"{"id":2,"x0":0.5,"cat0":"c","y":1}"#,
            #"{"id":3,"x0":0.5,"id":4,"y":1}"#,
            #"{"id":5,"x0":0.5,"cat0":"c","y":1}"#,
            #"{"id":6,"x0":0.5,"cat0":"c","y":1,"x0":2}"#,
            #"{"id":7,"x0":0.5,"cat0":"c","y":1,"id":2}"#,
            #"{"id":8,"x0":0.5,"cat0":"c","y":1}"#,
            #"{"id":9,"x0":0.5,"cat\u0030":"c","y":1}"#,
            #"{"id":10,"x0":0.5,"cat0":"c","cat\u0030":1}"#,
            #"{"id":11,"x0":0.5,"cat0":"c","y":1}"#,
            #"{"id":12,"x0":0.5,"cat0":"c","y":1}"#,
            #"{"id":13,"id":0.5}"#,
            #"{"id":14,"x0":0.5,"cat0":"c","y":1}"#,
            #"{"a_long_field_name_1":1,"a_long_field_name_2":2}"#,
            #"{"a_long_field_name_1":1,"a_long_field_name_1":2}"#,
            #"{"a_long_field_name_1":1,"a_long_field_name_2":2}"#,
            #"{"a_long_field_name_1":1,"a_long_field_name_2":2,"a_long_field_name_2":3}"#,
            "{" + wide + "}",
            "{" + wide + "}",
            "{" + wide + #","f3":0}"#,
            "{" + wide + "}",
            "{" + wide + #","f38":0}"#,
            "{" + wide + "}",
            "{" + wide.replacingOccurrences(of: #""f39":39"#, with: #""f1":39"#) + "}",
            "{" + wide.replacingOccurrences(of: #""f39":39"#, with: #""f35":39"#) + "}",
            "{" + wide + "}",
            "{}",
            #"{"id":1,"id":1}"#,
        ]
        var names = EventFieldNames()
        var outcomes: [String] = []
        for line in lines {
            switch Self.parseFreshAndReused(line, &names) {
            case (.success(let a), .success(let b)):
                #expect(a == b, "\(line)")
                outcomes.append("ok")
            case (.failure(let a), .failure(let b)):
                #expect(a.description == b.description, "\(line)")
                outcomes.append("\(a)")
            default: Issue.record("one parse failed and the other did not: \(line)")
            }
        }
        #expect(outcomes.filter { $0 != "ok" }.count == 12)
    }

    /// `line` parsed plainly and through the reader's reused field names `names`.
    private static func parseFreshAndReused(
        _ line: String, _ names: inout EventFieldNames
    ) -> (Result<Event, EventRejection>, Result<Event, EventRejection>) {
        let bytes = Array(line.utf8)
        let plain = bytes.withUnsafeBufferPointer { JSONEventParser.parse(bytes: $0) }
        let reused = bytes.withUnsafeBufferPointer { JSONEventParser.parse(bytes: $0, fieldNames: &names) }
        return (plain, reused)
    }

    /// A reader's cache recycles the last event's field storage: events the caller still
    /// holds keep their fields (copy-on-write), and every parse gives what a fresh parse gives,
    /// whatever the lengths before and after (longer, shorter, empty, rejected, over 32 fields).
    @Test func recycledFieldStorageLeavesHeldEventsAlone() throws {
        let wide = "{" + (0..<40).map { "\"f\($0)\":\($0)" }.joined(separator: ",") + "}"
        let wideDuplicate = "{" + (0..<40).map { "\"f\($0)\":\($0)" }.joined(separator: ",") + ",\"f35\":1}"
        let lines = [
            #"{"id":1,"x0":0.5,"cat0":"c"}"#,
            #"{"id":2,"x0":0.25,"cat0":"d","x1":-1e-7,"flag":true,"n":null}"#,
            #"{"id":3}"#,
            "{}",
            #"{"id":4,"x0":0.5,"x0":1}"#,
            #"{"id":5,"x0":[1]}"#,
            #"{"id":6,"x0":0.125,"cat0":"eé"}"#,
            wide,
            wideDuplicate,
            #"{"id":7,"x0":7}"#,
            wide,
            #"{"id":8,"x0":"s"}"#,
        ]
        var names = EventFieldNames()
        var held: [(Event, Event)] = []
        for (index, line) in lines.enumerated() {
            switch Self.parseFreshAndReused(line, &names) {
            case (.success(let a), .success(let b)):
                #expect(a == b, "\(line)")
                if index % 2 == 0 { held.append((a, b)) }  // every other event is kept
            case (.failure(let a), .failure(let b)): #expect(a.description == b.description, "\(line)")
            default: Issue.record("one parse failed and the other did not: \(line)")
            }
        }
        for (a, b) in held { #expect(a == b) }
        #expect(held.count >= 4)
    }

    @Test func memberKeysCompareTheirDecodedBytes() throws {
        let text = Array(#"{"format":1,"form\u0061t":2,"formats":3,"":4}"#.utf8)
        try text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            try scanner.beginObject()
            var matches: [Bool] = []
            var strings: [String] = []
            while let key = try scanner.nextMemberKey() {
                matches.append(key == "format")
                strings.append(key.string)
                _ = try scanner.integer()
            }
            #expect(matches == [true, true, false, false])
            #expect(strings == ["format", "format", "formats", ""])
        }
    }

    /// A transformer that only validates and learns fields rejects exactly what a fully
    /// learning one rejects, with the same targets.
    @Test func validateOnlyTransformerRejectsTheSameEvents() throws {
        let schema = Schema(target: "y", key: "id", categorical: ["c"])
        var full = FeatureTransformer(schema: schema)
        var lean = FeatureTransformer(schema: schema)
        var vocabulary = FeatureVocabulary()
        var vector = FeatureVector()
        let lines = [
            #"{"id":1,"x":1.5,"c":"a","y":1}"#,
            #"{"id":2,"x":"text","c":"a","y":0}"#,  // x is numeric now
            #"{"id":3,"x":2,"c":7,"z":"new","y":0}"#,  // a number as a category; z becomes categorical
            #"{"id":4,"x":2,"z":1,"y":1}"#,  // z is categorical: a number is a category name
            #"{"id":5,"x":null,"w":true}"#,  // unlabelled: w is not learned
            #"{"id":6,"w":"s","y":1}"#,  // so w can still become categorical
            #"{"id":7,"w":1,"y":1}"#,
            #"{"id":8,"x":1e300,"y":1}"#,
        ]
        for line in lines {
            let event = try JSONEventParser.parse(line)
            let a: Result<FieldValue?, EventRejection> = Result { () throws(EventRejection) in try full.prepare(event) }
            let b: Result<FieldValue?, EventRejection> = Result { () throws(EventRejection) in try lean.validate(event) }
            switch (a, b) {
            case (.success(let ta), .success(let tb)):
                #expect(ta == tb, "\(line)")
                if let ta, ta != .null {
                    full.learnPrepared(event, into: &vector, vocabulary: &vocabulary)
                    lean.learnFieldsPrepared(event)
                }
            case (.failure(let ea), .failure(let eb)):
                #expect(ea.description == eb.description, "\(line)")
            default:
                Issue.record("prepare and validate disagree on \(line)")
            }
        }
        #expect(full.fieldNames == lean.fieldNames)
        for name in full.fieldNames { #expect(full.kind(of: name) == lean.kind(of: name), "\(name)") }
    }
}
