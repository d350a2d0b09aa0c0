import Foundation
import OnlineML
import Testing
import TestSupport

@Suite struct JSONEventParserTests {
    @Test func keepsKeyOrderAndTypes() throws {
        let e = try JSONEventParser.parse(#" { "z": 1, "a": "x", "m": true, "b": null, "c": -2.5e-3 } "#)
        #expect(e.fields.map(\.name) == ["z", "a", "m", "b", "c"])
        #expect(e.fields.map(\.value) == [.number(1), .string("x"), .bool(true), .null, .number(-0.0025)])
    }

    @Test func numbersAreCorrectlyRounded() throws {
        for text in ["0.1", "43.843213", "46.19925042857143", "1e308", "-0", "123456789012345678", "2.2250738585072014e-308", "5e-324"] {
            let e = try JSONEventParser.parse("{\"v\":\(text)}")
            #expect(e["v"] == .number(Double(text)!), "\(text)")
        }
        let negativeZero = try JSONEventParser.parse(#"{"v":-0}"#)
        if case .number(let z)? = negativeZero["v"] { #expect(z.sign == .minus) }
    }

    /// The fast decimal conversion gives `strtod`'s bits: shortest forms of random doubles
    /// (what events carry), random digit strings up to 24 digits with exponents to ±350 (long
    /// significands, subnormals, overflow), and values at halfway points between doubles.
    @Test func numbersMatchStrtodBitForBit() throws {
        var random = SeededRandom(seed: 20_261_128)
        var texts = ["9007199254740993", "9007199254740992.5", "0.30000000000000004", "1e23", "8.98846567431158e307",
                     "2.4703282292062328e-324", "1.7976931348623158e308", "0.000000000000000000001", "12345678901234567890"]
        for index in 0..<20_000 {
            if index % 2 == 0 {
                var x: Double
                repeat { x = Double(bitPattern: random.next()) } while !x.isFinite
                texts.append("\(x)")
            } else {
                var text = random.next() % 4 == 0 ? "-" : ""
                let digits = 1 + Int(random.next() % 24)
                text += String(1 + random.next() % 9)
                for _ in 1..<digits { text += String(random.next() % 10) }
                if digits > 1, random.next() % 2 == 0 { text.insert(".", at: text.index(before: text.endIndex)) }
                if random.next() % 2 == 0 { text += "e\(Int(random.next() % 700) - 350)" }
                texts.append(text)
            }
        }
        for text in texts {
            let parsed = try JSONEventParser.parse("{\"v\":\(text)}")
            guard case .number(let x)? = parsed["v"] else {
                Issue.record("\(text) is not a number")
                continue
            }
            #expect(x.bitPattern == strtod(text, nil).bitPattern, "\(text)")
        }
    }

    @Test func escapesAndUnicode() throws {
        let e = try JSONEventParser.parse(#"{"s":"a\"b\\c\/d\n\t\u00e9\ud83d\ude00","é":"ü"}"#)
        #expect(e["s"] == .string("a\"b\\c/d\n\té😀"))
        #expect(e["é"] == .string("ü"))
    }

    @Test func emptyObject() throws {
        #expect(try JSONEventParser.parse("{}").fields.isEmpty)
    }

    @Test(arguments: [
        #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":tru}"#, #"{"a":"x}"#, #"{"a":1} x"#,
        #"{"a":-}"#, #"{a:1}"#, "{\"a\":\"\u{01}\"}", #"{"a":"\ud800"}"#, "",
    ])
    func malformedLinesAreRejectedWithOffset(_ line: String) {
        #expect {
            _ = try JSONEventParser.parse(line)
        } throws: { error in
            guard let rejection = error as? EventRejection, case .malformedJSON = rejection else { return false }
            return rejection.description.contains("byte")
        }
    }

    @Test func nonObjectsNestedAndDuplicatesAreRejected() {
        #expect(throws: EventRejection.notFlatObject(detail: "the text is not a JSON object")) { try JSONEventParser.parse("[1]") }
        #expect(throws: EventRejection.notFlatObject(detail: "field 'a' holds a nested object or array")) {
            try JSONEventParser.parse(#"{"a":{"b":1}}"#)
        }
        #expect(throws: EventRejection.duplicateField("a")) { try JSONEventParser.parse(#"{"a":1,"a":2}"#) }
    }

    /// Duplicates are found whatever the name's length, escapes, or place in the line (names
    /// near the end are hashed without reading past it), and beyond the first 32 fields.
    @Test func duplicatesAreFoundEverywhere() {
        #expect(throws: EventRejection.duplicateField("longer_name_1")) {
            try JSONEventParser.parse(#"{"longer_name_1":1,"x":2,"longer_name_1":3}"#)
        }
        #expect(throws: EventRejection.duplicateField("ab")) { try JSONEventParser.parse(#"{"ab":1,"\u0061b":2}"#) }
        #expect(throws: EventRejection.duplicateField("k")) { try JSONEventParser.parse(#"{"k":1, "k" :2 }"#) }
        let many = (0..<40).map { "\"f\($0)\":\($0)" }.joined(separator: ",")
        #expect(throws: EventRejection.duplicateField("f3")) { try JSONEventParser.parse("{" + many + #","f3":0}"#) }
        #expect(throws: EventRejection.duplicateField("f35")) { try JSONEventParser.parse("{" + many + #","f35":0}"#) }
        let distinct = try? JSONEventParser.parse("{" + many + "}")
        #expect(distinct?.fields.count == 40)
    }

    /// Every number of the fixtures parses to the correctly rounded double of its text (as in
    /// Python). Foundation's JSONSerialization on Linux does not round correctly (it reads
    /// 44.083709999999996 as 44.08371), one more reason for our own parser.
    @Test func fixtureNumbersAreCorrectlyRounded() throws {
        for name in ["trump_approval.jsonl", "phishing.jsonl"] {
            for line in try Fixtures.lines(name) {
                let event = try JSONEventParser.parse(line)
                let tokens = line.split(whereSeparator: { "{},".contains($0) }).map { $0.split(separator: ":", maxSplits: 1) }
                #expect(tokens.count == event.fields.count)
                for (token, field) in zip(tokens, event.fields) {
                    #expect(field.name == String(token[0].dropFirst().dropLast()))
                    #expect(field.value == .number(Double(String(token[1]))!))
                }
            }
        }
    }

    /// Numbers followed by more of the object (so the scanner reads their last digits eight
    /// bytes at a time) parse to `strtod`'s bits: random digit strings of 1–24 digits with
    /// points, leading zeros and exponents, and every double's shortest text.
    @Test func numbersInsideAnObjectMatchStrtod() throws {
        var random = SeededRandom(seed: 0xD161_75)
        var texts: [String] = []
        for index in 0..<40_000 {
            if index % 3 == 0 {
                var x: Double
                repeat { x = Double(bitPattern: random.next()) } while !x.isFinite
                if index % 2 == 0 { x = Double(bitPattern: random.next() >> 2) }
                texts.append("\(x)")
                continue
            }
            let digits = 1 + Int(random.next() % 24)
            var body = ""
            for d in 0..<digits { body += String(d == 0 ? 1 + random.next() % 9 : random.next() % 10) }
            switch random.next() % 3 {
            case 0 where digits >= 2:
                let point = 1 + Int(random.next() % UInt64(digits - 1))
                body.insert(".", at: body.index(body.startIndex, offsetBy: point))
            case 1:
                body = "0." + String(repeating: "0", count: Int(random.next() % 4)) + body
            default:
                break
            }
            if random.next() % 4 == 0 { body += "e\(Int(random.next() % 40) - 20)" }
            texts.append((random.next() % 4 == 0 ? "-" : "") + body)
        }
        var mismatches: [String] = []
        for text in texts {
            for line in ["{\"a\":\(text),\"b\":12345678}", "{\"a\":\(text)   ,\"b\":1}", "{\"a\":\(text)}"] {
                guard case .number(let parsed)? = try JSONEventParser.parse(line)["a"] else {
                    mismatches.append(line)
                    continue
                }
                if parsed.bitPattern != strtod(text, nil).bitPattern { mismatches.append(line) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
