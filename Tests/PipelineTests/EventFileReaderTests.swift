import Foundation
import OnlineML
import Pipeline
import Testing
import TestSupport

/// Input files for evaluation: JSONL and CSV, one record per line, bad lines as rejections.
@Suite struct EventFileReaderTests {
    private func events(_ records: [InputRecord]) throws -> [Event] {
        try records.map { try $0.content.get() }
    }

    @Test func csvHeaderNamesFieldsAndNumbersAreNumbers() throws {
        let text = [
            "id,x,flag,country,note,y",
            #"a1,1.5,true,"FR",,0"#,
            #""a,2",-2e3,false,US,"say ""hi""",1"#,
            "",
        ].joined(separator: "\n")
        let records = try EventFileReader.records(in: text, format: .csv)
        #expect(records.map(\.line) == [2, 3])
        let parsed = try events(records)
        #expect(parsed[0] == Event(["id": .string("a1"), "x": .number(1.5), "flag": .bool(true),
                                    "country": .string("FR"), "note": .null, "y": .number(0)]))
        #expect(parsed[1] == Event(["id": .string("a,2"), "x": .number(-2000), "flag": .bool(false),
                                    "country": .string("US"), "note": .string(#"say "hi""#),
                                    "y": .number(1)]))
    }

    @Test func quotedNumbersStayStrings() throws {
        let records = try EventFileReader.records(in: "a,b\n\"1\",1\n", format: .csv)
        #expect(try events(records) == [Event(["a": .string("1"), "b": .number(1)])])
    }

    @Test func badCSVLinesAreRejectedWithTheirLineNumbers() throws {
        let records = try EventFileReader.records(in: "x,y\n1,0\n2\n3,1\n\"4,1\n5,1,9\n", format: .csv)
        #expect(records.map(\.line) == [2, 3, 4, 5, 6])
        let failures = records.compactMap { record -> (Int, String)? in
            if case .failure(let error) = record.content { return (record.line, error.reason) }
            return nil
        }
        #expect(failures.map(\.0) == [3, 5, 6])
        #expect(failures[0].1 == "expected 2 CSV fields, got 1")
        #expect(failures[1].1 == "malformed CSV: unterminated quote starting at column 1")
        #expect(failures[2].1 == "expected 2 CSV fields, got 3")
    }

    @Test func csvHeaderProblemsFailTheFile() {
        #expect(throws: EventFileReader.FileError.self) {
            try EventFileReader.records(in: "x,,y\n1,2,3\n", format: .csv)
        }
        #expect(throws: EventFileReader.FileError.self) {
            try EventFileReader.records(in: "x,x\n1,2\n", format: .csv)
        }
    }

    @Test func jsonlSkipsBlankLinesAndKeepsLineNumbers() throws {
        let records = try EventFileReader.records(in: "{\"x\":1}\n\n{\"x\":\n{\"x\":2}\n", format: .jsonl)
        #expect(records.map(\.line) == [1, 3, 4])
        guard case .failure(let error) = records[1].content else {
            Issue.record("line 3 should be rejected")
            return
        }
        #expect(error.reason.hasPrefix("malformed JSON"))
    }

    /// The same events as CSV and as JSONL evaluate identically.
    @Test func csvAndJSONLEvaluateTheSame() throws {
        let topology = try Topology.parse(yaml: """
            name: phishing
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn: {model: logistic_regression, optimizer: {name: sgd, lr: 0.1}}
            """)
        let jsonl = try EventFileReader.read(contentsOf: Fixtures.url("phishing.jsonl"), format: .jsonl)
        let csv = try EventFileReader.records(in: CSVFixture.csv(fromJSONL: "phishing.jsonl"), format: .csv)
        var fromJSONL = PrequentialEvaluation(topology: topology)
        var fromCSV = PrequentialEvaluation(topology: topology)
        let a = fromJSONL.run(jsonl)
        let b = fromCSV.run(csv)
        #expect(b.events == 1250)
        #expect(b.rejections.count == 0)
        #expect(a.model?.contentHash == b.model?.contentHash)
        #expect(a.metric("accuracy") == b.metric("accuracy"))
    }
}

/// Builds a CSV copy of a flat numeric JSONL fixture (header from the first line's keys).
enum CSVFixture {
    static func csv(fromJSONL name: String) throws -> String {
        var header: [String] = []
        var rows: [String] = []
        for line in try Fixtures.lines(name) {
            let event = try JSONEventParser.parse(line)
            if header.isEmpty { header = event.fields.map(\.name) }
            rows.append(event.fields.map { field -> String in
                switch field.value {
                case .number(let x): return "\(x)"
                case .bool(let b): return "\(b)"
                case .string(let s): return "\"\(s)\""
                case .null: return ""
                }
            }.joined(separator: ","))
        }
        return ([header.joined(separator: ",")] + rows).joined(separator: "\n") + "\n"
    }
}

/// Streaming a file gives the same records as reading it whole, whatever the line endings.
@Suite struct EventFileStreamingTests {
    @Test func streamsFilesWithoutTrailingNewlineAndWithCRLF() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try "x,y\r\n1,0\r\n\r\n2,1".write(to: url, atomically: true, encoding: .utf8)
        var records: [InputRecord] = []
        try EventFileReader.forEachRecord(in: url, format: .csv) { records.append($0) }
        #expect(records.map(\.line) == [2, 4])
        #expect(try records.map { try $0.content.get() } == [
            Event(["x": .number(1), "y": .number(0)]), Event(["x": .number(2), "y": .number(1)]),
        ])
    }

    /// The 5 MB sine file spans several read chunks; every line still arrives once, in order.
    @Test func chunkBoundariesLoseNoLine() throws {
        var count = 0
        var lastLine = 0
        var ordered = true
        try EventFileReader.forEachRecord(in: Fixtures.url("sine_drift_100k.jsonl"), format: .jsonl) { record in
            count += 1
            if record.line != lastLine + 1 { ordered = false }
            lastLine = record.line
            if case .failure = record.content { ordered = false }
        }
        #expect(count == 100_000)
        #expect(ordered)
    }

    @Test func unreadableFileIsAFileError() {
        #expect(throws: EventFileReader.FileError.self) {
            try EventFileReader.forEachRecord(in: URL(fileURLWithPath: "/nonexistent.jsonl"), format: .jsonl) { _ in }
        }
    }
}
