import Foundation
import OnlineML

/// Reads the events of a JSONL or CSV file, one ``InputRecord`` per non-empty line, so a bad
/// line becomes a rejection with its line number and the rest of the file still counts.
public enum EventFileReader {
    /// A problem with the file as a whole (unreadable, or a CSV header that names no fields).
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func read(contentsOf url: URL, format: EventFileFormat) throws -> [InputRecord] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FileError(description: "\(url.path): cannot read: \(error.localizedDescription)")
        }
        return try records(in: String(decoding: data, as: UTF8.self), format: format)
    }

    public static func records(in text: String, format: EventFileFormat) throws -> [InputRecord] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        switch format {
        case .jsonl: return jsonRecords(lines)
        case .csv: return try csvRecords(lines)
        }
    }

    private static func isBlank(_ line: Substring) -> Bool {
        line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
    }

    private static func jsonRecords(_ lines: [Substring]) -> [InputRecord] {
        var records: [InputRecord] = []
        records.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() where !isBlank(line) {
            let content: Result<Event, InputRecordError>
            do {
                content = .success(try JSONEventParser.parse(String(line)))
            } catch {
                content = .failure(InputRecordError(error.description))
            }
            records.append(InputRecord(line: index + 1, content: content))
        }
        return records
    }

    private static func csvRecords(_ lines: [Substring]) throws -> [InputRecord] {
        guard let headerIndex = lines.firstIndex(where: { !isBlank($0) }) else { return [] }
        let header: [String]
        do {
            header = try CSVLineSplitter.split(lines[headerIndex]).map(\.text)
        } catch {
            throw FileError(description: "line \(headerIndex + 1): CSV header: \(error)")
        }
        if let empty = header.firstIndex(where: \.isEmpty) {
            throw FileError(description: "line \(headerIndex + 1): CSV header: column \(empty + 1) has no name")
        }
        for (index, name) in header.enumerated() where header[..<index].contains(name) {
            throw FileError(description: "line \(headerIndex + 1): CSV header: \"\(name)\" appears twice")
        }
        var records: [InputRecord] = []
        records.reserveCapacity(lines.count)
        for index in (headerIndex + 1)..<lines.count where !isBlank(lines[index]) {
            let content: Result<Event, InputRecordError>
            do {
                let cells = try CSVLineSplitter.split(lines[index])
                if cells.count != header.count {
                    content = .failure(InputRecordError("expected \(header.count) CSV fields, got \(cells.count)"))
                } else {
                    var event = Event()
                    for (name, cell) in zip(header, cells) {
                        event.append(name, value(of: cell))
                    }
                    content = .success(event)
                }
            } catch {
                content = .failure(InputRecordError("malformed CSV: \(error)"))
            }
            records.append(InputRecord(line: index + 1, content: content))
        }
        return records
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
