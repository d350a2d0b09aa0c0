import Foundation
import Testing

@testable import OnlineML

/// The seeded synthetic event stream.
@Suite struct DriftStreamTests {
    @Test func shapeAndDeterminism() throws {
        var a = SyntheticStream(seed: 1)
        var b = SyntheticStream(seed: 1)
        var c = SyntheticStream(seed: 2)
        let events = a.next(500)
        #expect(events == b.next(500))
        #expect(events != c.next(500))
        #expect(a.configuration.cardinalities.reduce(0, +) == 5000)
        let first = try #require(events.first)
        #expect(first.fields.count == 23)
        #expect(first.fields.map(\.name) == a.fieldNames)
        #expect(
            first.fields.prefix(20).allSatisfy {
                if case .number = $0.value { true } else { false }
            })
        #expect(
            first.fields.suffix(3).allSatisfy { if case .text = $0.value { true } else { false } })
        #expect(events.map(\.index) == Array(0..<500))
        // Both classes occur in reasonable proportion.
        let positives = events.filter { $0.label == 1 }.count
        #expect(positives > 150 && positives < 350)
    }

    @Test func checkpointContinuesTheSameEvents() throws {
        var uninterrupted = SyntheticStream(
            configuration: .init(drifts: [.concept(at: 300)]), seed: 4)
        let expected = uninterrupted.next(600)
        var first = SyntheticStream(configuration: .init(drifts: [.concept(at: 300)]), seed: 4)
        var events = first.next(250)
        var restored = try JSONDecoder().decode(SyntheticStream.self, from: try encodedState(first))
        events += restored.next(350)
        #expect(events == expected)
    }

    /// A JSON scalar, decoded with `JSONDecoder` (exact for Doubles; Foundation's
    /// `JSONSerialization` on Linux is not: it can be one ulp off).
    enum Scalar: Decodable, Equatable {
        case number(Double)
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }
    }

    @Test func jsonLineParsesBackToTheSameEvent() throws {
        var stream = SyntheticStream(seed: 3)
        for event in stream.next(50) {
            let line = event.jsonLine(idField: "id")
            #expect(!line.contains("\n"))
            let object = try JSONDecoder().decode([String: Scalar].self, from: Data(line.utf8))
            #expect(object.count == 25)
            #expect(object["id"] == .number(Double(event.index)))
            #expect(object["y"] == .number(Double(event.label)))
            for field in event.fields {
                switch field.value {
                case .number(let number): #expect(object[field.name] == .number(number))
                case .text(let text): #expect(object[field.name] == .text(text))
                }
            }
            #expect(line.hasPrefix("{\"id\":\(event.index),\"x0\":"), "fields keep their order")
        }
        var again = SyntheticStream(seed: 3)
        #expect(!again.next().jsonLine(labelField: nil).contains("\"y\""))
        #expect(SyntheticEvent.quoted("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"")
    }

    /// A concept change makes the old relation between features and label wrong: a rule fitted
    /// to the first concept (the hidden weights' signs) loses accuracy after the change.
    @Test func conceptChangeAltersTheLabelRelation() {
        var stream = SyntheticStream(configuration: .init(drifts: [.concept(at: 2000)]), seed: 9)
        let events = stream.next(4000)
        let weights = SyntheticStream.conceptWeights(seed: 9, concept: 0, count: 20)
        func accuracy(_ slice: ArraySlice<SyntheticEvent>) -> Double {
            let hits = slice.filter { event in
                var score = 0.0
                for (j, field) in event.fields.prefix(20).enumerated() {
                    if case .number(let x) = field.value { score += weights[j] * x }
                }
                return (score > 0 ? 1 : 0) == event.label
            }.count
            return Double(hits) / Double(slice.count)
        }
        let before = accuracy(events[..<2000])
        let after = accuracy(events[2000...])
        #expect(before > 0.75)
        #expect(after < before - 0.15)
    }

    @Test func meanShiftAndCategoryShiftShowInTheData() {
        var stream = SyntheticStream(
            configuration: .init(drifts: [
                .meanShift(at: 1000, features: [0, 3], amount: 2),
                .categoryShift(at: 1000, field: 2),
            ]), seed: 10)
        let events = stream.next(2000)
        func mean(_ slice: ArraySlice<SyntheticEvent>, _ feature: Int) -> Double {
            slice.map { event -> Double in
                if case .number(let x) = event.fields[feature].value { return x }
                return .nan
            }.reduce(0, +) / Double(slice.count)
        }
        #expect(abs(mean(events[..<1000], 0)) < 0.15)
        #expect(abs(mean(events[1000...], 0) - 2) < 0.15)
        #expect(abs(mean(events[1000...], 3) - 2) < 0.15)
        #expect(abs(mean(events[1000...], 1)) < 0.15)
        func headShare(_ slice: ArraySlice<SyntheticEvent>) -> Double {
            Double(slice.filter { $0.fields[22].value == .text("c2_0") }.count)
                / Double(slice.count)
        }
        // c2_0 is the most frequent category of cat2 before the shift and rare after it.
        #expect(headShare(events[..<1000]) > 0.02)
        #expect(headShare(events[1000...]) < 0.005)

        var monitor = FeatureDriftMonitor(configuration: .init(referenceSize: 500, windowSize: 250))
        var flagged: [String] = []
        for event in events {
            for field in event.fields {
                let value: FeatureDriftMonitor.Value
                switch field.value {
                case .number(let x): value = .number(x)
                case .text(let text): value = .category(text)
                }
                if let detection = monitor.update(feature: field.name, value) {
                    flagged.append(detection.feature ?? "")
                }
            }
        }
        #expect(Set(flagged).isSuperset(of: ["x0", "x3", "cat2"]))
        #expect(flagged.allSatisfy { ["x0", "x3", "cat2"].contains($0) }, "\(flagged)")
    }
}
