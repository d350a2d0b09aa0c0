import Foundation
import Testing
import TestSupport

/// `driftline generate`: the seeded stream the quickstart and benchmarks feed.
@Suite struct GenerateCommandTests {
    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let first = try DriftlineBinary.run(["generate", "--events", "200", "--seed", "7"])
        let again = try DriftlineBinary.run(["generate", "--events", "200", "--seed", "7"])
        let other = try DriftlineBinary.run(["generate", "--events", "200", "--seed", "8"])
        #expect(first.status == 0)
        #expect(first.stdout == again.stdout)
        #expect(first.stdout != other.stdout)
    }

    @Test func eventsAreJSONObjectsWithTheDocumentedFields() throws {
        let result = try DriftlineBinary.run(["generate", "--events", "50"])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 50)
        for (index, line) in lines.enumerated() {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["id"] as? Int == index)
            #expect(object["y"] as? Int == 0 || object["y"] as? Int == 1)
            #expect((0..<20).allSatisfy { object["x\($0)"] is Double })
            #expect((0..<3).allSatisfy { object["cat\($0)"] is String })
        }
    }

    @Test func conceptDriftChangesLabelsOnlyFromThePosition() throws {
        let plain = try DriftlineBinary.run(["generate", "--events", "400", "--label-noise", "0"])
        let drifted = try DriftlineBinary.run(
            ["generate", "--events", "400", "--label-noise", "0", "--drift-at", "200"])
        let before = plain.stdout.split(separator: "\n")
        let after = drifted.stdout.split(separator: "\n")
        #expect(before[..<200] == after[..<200])
        let labelsChanged = zip(before[200...], after[200...]).filter { $0 != $1 }.count
        #expect(labelsChanged > 40, "a new concept should relabel a good share of events")
    }

    @Test func badDriftPositionIsAClearError() throws {
        let result = try DriftlineBinary.run(["generate", "--drift-at", "10,soon"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("'soon' is not a non-negative event index"))
    }
}
