#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor in large chunks and hands out its lines as borrowed bytes, so
/// feeding millions of lines costs no allocation per line.
struct LineReader {
    private let descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    /// Bytes read from the descriptor so far (for progress against the file size).
    private(set) var bytesRead = 0

    init(descriptor: Int32, chunkSize: Int = 1 << 20) {
        self.descriptor = descriptor
        buffer = .allocate(byteCount: chunkSize, alignment: 1)
    }

    /// Frees the buffer; call once when done.
    func deallocate() { buffer.deallocate() }

    /// Calls `body` with each line (without its `\n` or `\r\n`) and its 1-based number; stops
    /// early when `body` returns false. A last line without a newline counts too. `onRead`
    /// sees the running byte count after each read.
    mutating func forEachLine<E: Error>(
        onRead: (Int) -> Void = { _ in },
        _ body: (Int, UnsafeRawBufferPointer) throws(E) -> Bool
    ) throws(E) -> ReadOutcome {
        var lineNumber = 0
        var start = 0  // first byte of the current line
        var end = 0  // bytes filled
        while true {
            if end == buffer.count {
                if start > 0 {
                    // Move the partial line to the front.
                    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                    end -= start
                    start = 0
                } else {
                    // One line longer than the buffer: grow it.
                    let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 1)
                    bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
                    buffer.deallocate()
                    buffer = bigger
                }
            }
            let count = read(descriptor, buffer.baseAddress! + end, buffer.count - end)
            if count < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if count == 0 {
                if end > start {
                    lineNumber += 1
                    _ = try body(lineNumber, trimmed(start, end))
                }
                return .finished
            }
            bytesRead += count
            onRead(bytesRead)
            var scan = end
            end += count
            while let newline = memchr(buffer.baseAddress! + scan, 0x0A, end - scan) {
                let position = buffer.baseAddress!.distance(to: newline)
                lineNumber += 1
                if try !body(lineNumber, trimmed(start, position)) { return .stopped }
                start = position + 1
                scan = start
            }
        }
    }

    private func trimmed(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        var end = end
        if end > start && buffer[end - 1] == 0x0D { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }

    enum ReadOutcome: Equatable {
        case finished
        case stopped
        case failed(Int32)
    }
}
