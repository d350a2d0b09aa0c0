#if canImport(Glibc)
import Glibc
#endif

/// Human-facing output. Data goes to stdout; everything a person reads goes to stderr, so
/// scripts can pipe stdout without filtering.
enum StandardError {
    /// Writes `text` and a newline to stderr, unbuffered.
    static func line(_ text: String) {
        write(text + "\n")
    }

    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Whether stderr is a terminal (progress bars only then).
    static var isTerminal: Bool { isatty(2) != 0 }
}

/// A stdout writer with its own buffer: one `write(2)` per flush, not per line.
struct StandardOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func append(_ bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    mutating func append(_ text: String) { buffer.append(contentsOf: text.utf8) }

    /// Writes the buffer out. Returns false when stdout is gone (closed pipe).
    @discardableResult
    mutating func flush() -> Bool {
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
    }
}
