import OnlineML
import Testing

@Suite struct CanonicalJSONAndHashTests {
    @Test func sha256KnownVectors() {
        #expect(SHA256.hexDigest("".utf8) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hexDigest(
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)
            == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(SHA256.hexDigest([UInt8](repeating: 0x61, count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func canonicalEncoding() throws {
        let v: JSONValue = .object([
            "b": .array([.number(0.1), .number(1e-5), .number(-0.0), .number(5), .integer(7), .null, .bool(true)]),
            "a": .string("q\"\\\n\u{01}é"),
            "B": .object([:]),
        ])
        let text = CanonicalJSON.encode(v)
        #expect(text == #"{"B":{},"a":"q\"\\\n\u0001é","b":[0.1,1e-05,-0.0,5.0,7,null,true]}"#)
        #expect(try CanonicalJSON.parse(text) == v)
    }

    /// Keys sort by their UTF-8 bytes (not by Unicode order, not by length first): a prefix
    /// first, "Z" before "a", "z" before "é" (0xC3).
    @Test func keysSortByTheirUTF8Bytes() {
        var keys = ["é", "z", "a", "ab", "", "Z", "ü", "weights_of_a_long_feature_name", "weights_of_a_long",
                    "a\u{0}", "a\u{0}\u{0}", "exactly_16_bytes", "exactly_16_bytez", "exactly_16_bytes+", "cat0=c1", "cat0=c10"]
        keys += (0..<500).map { "cat\($0 % 3)=c\($0 * 7919 % 1000)" }
        keys = Array(Set(keys))
        let v: JSONValue = .object(Dictionary(uniqueKeysWithValues: keys.map { ($0, .integer(1)) }))
        let expected = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(expected.first == "" && expected.last == "ü")
        let members = expected.map { key -> String in
            var quoted: [UInt8] = []
            CanonicalJSON.writeString(key, into: &quoted)
            return String(decoding: quoted, as: UTF8.self) + ":1"
        }
        #expect(CanonicalJSON.encode(v) == "{" + members.joined(separator: ",") + "}")
    }

    /// Whole numbers take a fast path; it must write exactly what `description` and
    /// `String(Int)` write, at the edges too.
    @Test func numbersAreWrittenAsDescriptionWrites() {
        var values: [Double] = [0, -0.0, 1, -1, 5, 1e14, 999_999_999_999_999, 1e15, -1e15, 1e16, 0.5, -2.5e-7, 1e300,
                                .greatestFiniteMagnitude, .leastNonzeroMagnitude, 123456789012345, 4503599627370496]
        values += (0..<2000).map { Double($0 * 7919 - 5_000_000) }
        for x in values {
            var out: [UInt8] = []
            CanonicalJSON.writeNumber(x, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == x.description, "\(x)")
        }
        for i in [0, 1, -1, 42, Int.max, Int.min, 1_000_000, -987_654_321] {
            #expect(CanonicalJSON.encode(.integer(i)) == String(i))
        }
        #expect(CanonicalJSON.encode(.number(.nan)) == "null")
    }

    /// Fractions, weights of every magnitude and random bit patterns: `description`'s text.
    @Test func fractionsAreWrittenAsDescriptionWrites() {
        var rng = TestRandom(seed: 23)
        var values: [Double] = [0.1, -0.1, 1e-05, 1.5, 0.012345678901234567, 1e15 + 0.5, 1e-300, -.leastNormalMagnitude]
        values += (0..<2000).map { _ in (rng.uniform() - 0.5) * Double(sign: .plus, exponent: rng.int(60) - 40, significand: 1) }
        values += (0..<2000).map { _ in Double(bitPattern: rng.next()) }.filter(\.isFinite)
        for x in values {
            var out: [UInt8] = Array("[".utf8)
            CanonicalJSON.writeNumber(x, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == "[" + x.description, "\(x)")
        }
    }

    @Test func doublesRoundTripBitExactly() throws {
        var rng = TestRandom(seed: 11)
        for _ in 0..<2000 {
            let x = Double(bitPattern: rng.next())
            guard x.isFinite else { continue }
            let back = try CanonicalJSON.parse(CanonicalJSON.encode(.array([.number(x)])))
            #expect(back.arrayValue?.first?.doubleValue?.bitPattern == x.bitPattern)
        }
    }

    @Test func parseErrorsAreReadable() {
        #expect(throws: ModelDocumentError.self) { try CanonicalJSON.parse(#"{"a":1,"a":2}"#) }
        #expect(throws: ModelDocumentError.self) { try CanonicalJSON.parse("[1,") }
    }
}
