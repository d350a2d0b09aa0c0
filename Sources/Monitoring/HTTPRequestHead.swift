/// The request line of an HTTP/1.x request, all the metrics server needs: it answers by method
/// and path only, and closes the connection after every answer.
struct HTTPRequestHead: Equatable {
    var method: String
    /// The path without the query string (`/metrics?x=1` → `/metrics`).
    var path: String

    /// Why a request could not be read.
    enum Problem: Error, Equatable {
        /// Not `METHOD SP TARGET SP HTTP/1.x CRLF`.
        case malformed
        /// The head did not end within the size limit.
        case tooLarge
    }

    /// Parses the head of a request (everything before the blank line). `bytes` holds at least
    /// the request line.
    static func parse(_ bytes: ArraySlice<UInt8>) throws(Problem) -> HTTPRequestHead {
        guard let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\r")),
              bytes.index(after: lineEnd) < bytes.endIndex, bytes[bytes.index(after: lineEnd)] == UInt8(ascii: "\n")
        else { throw .malformed }
        let parts = bytes[bytes.startIndex..<lineEnd].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
              parts[0].allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }),
              parts[1].first == UInt8(ascii: "/") || parts[1].elementsEqual("*".utf8)
        else { throw .malformed }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .malformed }
        let target = parts[1]
        let path = target.split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false).first ?? target
        return HTTPRequestHead(method: String(decoding: parts[0], as: UTF8.self),
                               path: String(decoding: path, as: UTF8.self))
    }

    /// The index just past the blank line ending the head (`\r\n\r\n`), if `bytes` holds it.
    static func endOfHead(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }
}
