import Foundation
import OnlineML

/// Reads the events of a JSONL or CSV file, one ``InputRecord`` per non-empty line, so a bad
/// line becomes a rejection with its line number and the rest of the file still counts.
///
/// ``forEachRecord(in:format:_:)`` streams the file in chunks (memory bounded by the longest
/// line); ``read(contentsOf:format:)`` and ``records(in:format:)`` collect everything.
public enum EventFileReader {
    /// A problem with the file as a whole (unreadable, or a CSV header that names no fields).
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Calls `body` with each record of the file at `url`, in order, reading it in chunks.
    public static func forEachRecord(
        in url: URL, format: EventFileFormat, _ body: (InputRecord) throws -> Void
    ) throws {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw FileError(description: "\(url.path): cannot read: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        var decoder = LineDecoder(format: format)
        var pending: [UInt8] = []
        var lineNumber = 0
        let newline = UInt8(ascii: "\n")
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw FileError(description: "\(url.path): cannot read: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            pending.append(contentsOf: chunk)
            var start = 0
            while let end = pending[start...].firstIndex(of: newline) {
                lineNumber += 1
                let line = String(decoding: pending[start..<end], as: UTF8.self)
                if let record = try decoder.decode(line[...], number: lineNumber) { try body(record) }
                start = end + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty {
            lineNumber += 1
            let line = String(decoding: pending, as: UTF8.self)
            if let record = try decoder.decode(line[...], number: lineNumber) { try body(record) }
        }
    }

    /// Every record of the file at `url`.
    public static func read(contentsOf url: URL, format: EventFileFormat) throws -> [InputRecord] {
        var records: [InputRecord] = []
        try forEachRecord(in: url, format: format) { records.append($0) }
        return records
    }

    /// Every record of `text`.
    public static func records(in text: String, format: EventFileFormat) throws -> [InputRecord] {
        var decoder = LineDecoder(format: format)
        var records: [InputRecord] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let record = try decoder.decode(line, number: index + 1) { records.append(record) }
        }
        return records
    }
}

/// Turns lines into records; for CSV the first non-blank line is the header.
private struct LineDecoder {
    let format: EventFileFormat
    private var header: [String]?

    init(format: EventFileFormat) {
        self.format = format
    }

    /// The record of one line; `nil` for a blank line or the CSV header.
    mutating func decode(_ line: Substring, number: Int) throws -> InputRecord? {
        if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { return nil }
        switch format {
        case .jsonl:
            do {
                return InputRecord(line: number, content: .success(try JSONEventParser.parse(String(line))))
            } catch {
                return InputRecord(line: number, content: .failure(InputRecordError(error.description)))
            }
        case .csv:
            guard let header else {
                header = try Self.header(line, number: number)
                return nil
            }
            return InputRecord(line: number, content: Self.event(line, header: header))
        }
    }

    private static func header(_ line: Substring, number: Int) throws -> [String] {
        let names: [String]
        do {
            names = try CSVLineSplitter.split(line).map(\.text)
        } catch {
            throw EventFileReader.FileError(description: "line \(number): CSV header: \(error)")
        }
        if let empty = names.firstIndex(where: \.isEmpty) {
            throw EventFileReader.FileError(description: "line \(number): CSV header: column \(empty + 1) has no name")
        }
        for (index, name) in names.enumerated() where names[..<index].contains(name) {
            throw EventFileReader.FileError(description: "line \(number): CSV header: \"\(name)\" appears twice")
        }
        return names
    }

    private static func event(_ line: Substring, header: [String]) -> Result<Event, InputRecordError> {
        let cells: [CSVLineSplitter.Cell]
        do {
            cells = try CSVLineSplitter.split(line)
        } catch {
            return .failure(InputRecordError("malformed CSV: \(error)"))
        }
        guard cells.count == header.count else {
            return .failure(InputRecordError("expected \(header.count) CSV fields, got \(cells.count)"))
        }
        var event = Event()
        for (name, cell) in zip(header, cells) {
            event.append(name, value(of: cell))
        }
        return .success(event)
    }

    private static func value(of cell: CSVLineSplitter.Cell) -> FieldValue {
        if cell.quoted { return .string(cell.text) }
        let text = cell.text.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return .null }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        if let first = text.unicodeScalars.first, "0123456789+-.".unicodeScalars.contains(first),
           let number = Double(text) {
            return .number(number)
        }
        return .string(text)
    }
}
