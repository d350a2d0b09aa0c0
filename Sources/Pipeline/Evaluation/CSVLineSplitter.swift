/// Splits one CSV line into its cells (RFC 4180 quoting: `"a,b"`, `"say ""hi"""`).
///
/// Records are one line each: a quoted cell cannot span lines, which keeps every bad record
/// attributable to exactly one line number.
enum CSVLineSplitter {
    struct Cell: Equatable {
        var text: String
        /// Quoted cells are always strings; unquoted ones may be numbers, booleans or empty.
        var quoted: Bool
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case unterminatedQuote(column: Int)
        case textAfterQuote(column: Int)

        var description: String {
            switch self {
            case .unterminatedQuote(let column): return "unterminated quote starting at column \(column)"
            case .textAfterQuote(let column): return "unexpected text after a closing quote at column \(column)"
            }
        }
    }

    static func split(_ line: Substring) throws(Failure) -> [Cell] {
        var cells: [Cell] = []
        let characters = Array(line.hasSuffix("\r") ? line.dropLast() : line)
        var index = 0
        while true {
            if index < characters.count, characters[index] == "\"" {
                let start = index + 1
                var text = ""
                index += 1
                var closed = false
                while index < characters.count {
                    if characters[index] == "\"" {
                        if index + 1 < characters.count, characters[index + 1] == "\"" {
                            text.append("\"")
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    text.append(characters[index])
                    index += 1
                }
                guard closed else { throw .unterminatedQuote(column: start) }
                cells.append(Cell(text: text, quoted: true))
                if index < characters.count, characters[index] != "," {
                    throw .textAfterQuote(column: index + 1)
                }
            } else {
                var text = ""
                while index < characters.count, characters[index] != "," {
                    text.append(characters[index])
                    index += 1
                }
                cells.append(Cell(text: text, quoted: false))
            }
            if index >= characters.count { break }
            index += 1  // the comma
        }
        return cells
    }
}
