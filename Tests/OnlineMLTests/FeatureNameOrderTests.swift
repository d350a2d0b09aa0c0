import Testing

@testable import OnlineML

/// The kept name orders give exactly the freshly sorted order, whatever vocabulary asks.
@Suite struct FeatureNameOrderTests {
    static func randomName(_ random: inout TestRandom) -> String {
        let pieces = ["cat0=", "cat1=", "x", "é", "e\u{301}", "Z", "~", "😀", "ab", "!", " ", "", "", "", ""]
        let escaped = ["a\u{0}b", "\"", "\\"]
        if random.int(40) == 0 { return escaped[random.int(escaped.count)] + String(random.int(1000)) }
        return (0..<(1 + random.int(4))).map { _ in pieces[random.int(pieces.count)] }.joined() + String(random.int(1000))
    }

    /// Vocabularies that grow, restart (a reset model), shrink to a prefix (a restored older
    /// version) or share a prefix with another, in turns, asking one kept order (as copies of a
    /// pipeline that went different ways would): every answer is the full sort.
    @Test func keptOrdersMatchAFreshSort() {
        let kept = FeatureNameOrder.Kept()
        var random = TestRandom(seed: 5)
        var vocabularies: [[String]] = [[], [], []]
        for round in 0..<300 {
            let v = random.int(vocabularies.count)
            switch random.int(10) {
            case 0: vocabularies[v] = []
            case 1: vocabularies[v] = Array(vocabularies[v].prefix(random.int(vocabularies[v].count + 1)))
            case 2: vocabularies[v] = vocabularies[(v + 1) % vocabularies.count]
            default: break
            }
            var seen = Set(vocabularies[v])
            for _ in 0..<random.int(round % 7 == 0 ? 200 : 5) {
                let name = Self.randomName(&random)
                if seen.insert(name).inserted { vocabularies[v].append(name) }
            }
            let names = vocabularies[v]
            let entry = kept.entry(for: names)
            #expect(entry.order == CanonicalJSON.sortedOrder(names), "round \(round)")
            var strings: [UInt8] = []
            for id in entry.order { CanonicalJSON.writeString(names[id], into: &strings) }
            let written = entry.list.withUnsafeBufferPointer { all in entry.order.indices.flatMap { entry.string($0, in: all) } }
            #expect(written == strings)
            #expect(entry.list == Array(CanonicalJSON.encodeBytes(.strings(names)).dropFirst().dropLast()))
        }
    }

    /// Names that are equal as `String`s (canonically equivalent) but not byte for byte are
    /// different names to the kept order.
    @Test func equivalentSpellingsAreNotTheSameName() {
        let composed = ["b", "\u{e9}", "a"]
        let decomposed = ["b", "e\u{301}", "a"]
        #expect(composed[1] == decomposed[1])
        let order = FeatureNameOrder.Kept()
        _ = order.entry(for: composed)
        let kept = FeatureNameOrder.build(composed)
        #expect(!FeatureNameOrder.holds(kept, for: decomposed))
        #expect(order.entry(for: decomposed + ["\u{e9}"]).order == CanonicalJSON.sortedOrder(decomposed + ["\u{e9}"]))
    }

    /// A model's documents as it learns new features between them stay the canonical encoding
    /// of their content (the order kept from the previous document is extended).
    @Test func documentsOfAGrowingModelAreCanonical() throws {
        var pipeline = classifierPipeline(
            .init(scaling: .standard, missing: .mean, missingIndicator: true), .init(loss: .log, optimizer: .adaGrad(0.1), l1: 0.001))
        let events = mixedEvents(count: 400, seed: 9)
        for (k, e) in events.enumerated() {
            _ = try pipeline.processOne(e)
            guard k % 50 == 49 else { continue }
            let document = ModelDocument(name: "m", version: k, pipeline: pipeline, createdAt: "2026-11-28T00:00:00Z")
            #expect(document.hashedContentBytes() == CanonicalJSON.encodeBytes(document.hashedContent))
            #expect(document.encodedBytes() == CanonicalJSON.encodeBytes(document.json))
        }
    }
}
