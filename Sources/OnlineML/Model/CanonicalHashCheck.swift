import Dispatch

/// Checks a model document's `content_hash` against the bytes it arrived in, without
/// re-encoding it.
///
/// The hash covers the canonical encoding of the document without `content_hash` and
/// `created_at`. A canonical document (what Driftline writes) *is* that encoding with those two
/// members added, so deleting them from the received bytes and hashing the rest gives the
/// stated hash — one pass over the text instead of rebuilding and re-encoding millions of
/// weights. A document that is valid but not canonical (say, re-serialised by another tool)
/// does not match here; the caller then falls back to re-encoding what it parsed.
enum CanonicalHashCheck {
    /// The members the hash leaves out.
    static let unhashed: [[UInt8]] = [Array("content_hash".utf8), Array("created_at".utf8)]

    /// Whether "sha256:" + hex SHA-256 of `text` without the unhashed top-level members equals
    /// `stated` (`members`: ``topLevelMembers(_:)`` of `text`).
    static func matches(
        _ text: UnsafeBufferPointer<UInt8>, members: [(key: Range<Int>, range: Range<Int>)], stated: String
    ) -> Bool {
        hash(text, members: members) == stated
    }

    /// "sha256:" + hex SHA-256 of `text` without the unhashed top-level members.
    static func hash(_ text: UnsafeBufferPointer<UInt8>, members: [(key: Range<Int>, range: Range<Int>)]) -> String {
        var hasher = SHA256()
        var first = true
        let open: [UInt8] = [UInt8(ascii: "{")], comma: [UInt8] = [UInt8(ascii: ",")], close: [UInt8] = [UInt8(ascii: "}")]
        hasher.update(open)
        for member in members where !unhashed.contains(where: { $0.elementsEqual(text[member.key]) }) {
            if !first { hasher.update(comma) }
            first = false
            hasher.update(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: text[member.range])))
        }
        hasher.update(close)
        return "sha256:" + SHA256.hex(hasher.finalize())
    }

    /// ``hash(_:members:)`` computed on a dispatch queue (documents over 1 MiB) or inline.
    /// The caller keeps `text` alive until ``wait()`` returned.
    final class Background: @unchecked Sendable {
        private let text: UnsafeBufferPointer<UInt8>
        private let members: [(key: Range<Int>, range: Range<Int>)]
        private let done = DispatchSemaphore(value: 0)
        private var result: String?
        private let concurrent: Bool

        init(_ text: UnsafeBufferPointer<UInt8>, members: [(key: Range<Int>, range: Range<Int>)]) {
            self.text = text
            self.members = members
            concurrent = text.count > 1 << 20
            if concurrent {
                DispatchQueue.global().async { [self] in
                    result = CanonicalHashCheck.hash(self.text, members: self.members)
                    done.signal()
                }
            }
        }

        /// The hash (blocks until computed). Safe to call more than once.
        @discardableResult
        func wait() -> String {
            if concurrent {
                done.wait()
                done.signal()
                return result!
            }
            if result == nil { result = CanonicalHashCheck.hash(text, members: members) }
            return result!
        }
    }

    /// The byte ranges of the top-level members (`"key":value`) of a JSON object written
    /// without whitespace between tokens, and of their keys (without quotes); nil otherwise.
    static func topLevelMembers(_ text: UnsafeBufferPointer<UInt8>) -> [(key: Range<Int>, range: Range<Int>)]? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var p = 0
        let end = text.count
        /// Moves `p` past the string starting at `p`; false if unterminated.
        func skipString() -> Bool {
            p += 1
            while p < end {
                let c = text[p]
                if c == backslash {
                    p += 2
                } else {
                    p += 1
                    if c == quote { return true }
                }
            }
            return false
        }
        guard end >= 2, text[0] == UInt8(ascii: "{") else { return nil }
        p = 1
        var members: [(key: Range<Int>, range: Range<Int>)] = []
        if text[p] == UInt8(ascii: "}") { return p + 1 == end ? members : nil }
        while p < end {
            let start = p
            guard text[p] == quote, skipString(), p < end, text[p] == UInt8(ascii: ":") else { return nil }
            let key = start + 1..<p - 1
            p += 1
            var depth = 0
            scan: while p < end {
                switch text[p] {
                case quote:
                    guard skipString() else { return nil }
                    continue scan
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { break scan }
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == 0 { break scan }
                case 0x20, 0x09, 0x0A, 0x0D:
                    return nil
                default:
                    break
                }
                p += 1
            }
            guard p < end, p > key.upperBound + 2 else { return nil }
            members.append((key, start..<p))
            if text[p] == UInt8(ascii: "}") { return p + 1 == end ? members : nil }
            p += 1
        }
        return nil
    }
}
