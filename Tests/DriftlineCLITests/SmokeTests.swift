import Testing
import TestSupport

@Test func fixturesArePresent() throws {
    #expect(try Fixtures.lines("phishing.jsonl").count == 1250)
}
