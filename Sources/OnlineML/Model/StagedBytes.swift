/// Appends many short pieces of canonical JSON to a byte array through a buffer on the stack,
/// one `append` per buffer-full.
///
/// A model document holds a name and a number per feature in each keyed member, and the
/// categories of every field: appending each piece to the `[UInt8]` directly (a uniqueness and
/// capacity check and a copy call per piece, a temporary buffer per number) cost about as
/// much as formatting the numbers. Here the pieces are written through a pointer and copied
/// out in runs; the bytes are the same.
struct StagedBytes: ~Copyable {
    private let out: UnsafeMutablePointer<[UInt8]>
    private let base: UnsafeMutablePointer<UInt8>
    private var count = 0

    /// What `withUnsafeTemporaryAllocation` always places on the stack (a larger buffer makes
    /// it ask the runtime about the thread's stack, on every call).
    static let capacity = 1024

    private init(out: UnsafeMutablePointer<[UInt8]>, base: UnsafeMutablePointer<UInt8>) {
        self.out = out
        self.base = base
    }

    /// Runs `body` with a stager whose pieces end up appended to `out`, in order.
    static func appending(to out: inout [UInt8], _ body: (inout StagedBytes) -> Void) {
        withUnsafeMutablePointer(to: &out) { target in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
                var staged = StagedBytes(out: target, base: buffer.baseAddress!)
                body(&staged)
                staged.flush()
            }
        }
    }

    /// Moves the staged bytes to the array.
    mutating func flush() {
        guard count > 0 else { return }
        out.pointee.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        count = 0
    }

    /// Where the next `n` (at most ``capacity``) bytes go; the caller writes them and then
    /// calls ``advance(_:)``.
    @inline(__always)
    private mutating func room(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if count + n > Self.capacity { flush() }
        return base + count
    }

    @inline(__always)
    private mutating func advance(_ n: Int) {
        count += n
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        room(1).pointee = b
        advance(1)
    }

    /// Raw bytes (a longer run than the buffer goes to the array directly).
    @inline(__always)
    mutating func bytes(_ piece: UnsafeBufferPointer<UInt8>) {
        let n = piece.count
        guard n > 0, let source = piece.baseAddress else { return }
        if n > Self.capacity {
            flush()
            out.pointee.append(contentsOf: piece)
            return
        }
        room(n).update(from: source, count: n)
        advance(n)
    }

    mutating func raw(_ text: StaticString) {
        bytes(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `CanonicalJSON.writeNumber`'s text.
    @inline(__always)
    mutating func number(_ x: Double) {
        let target = room(CanonicalJSON.numberCapacity)
        advance(CanonicalJSON.formatNumber(x, at: target))
    }

    /// `CanonicalJSON.writeInteger`'s text.
    mutating func integer(_ i: Int64) {
        let target = room(CanonicalJSON.integerCapacity)
        advance(CanonicalJSON.formatInteger(i, at: target))
    }

    /// `CanonicalJSON.writeString`'s text: a string that needs no escape is copied from its
    /// UTF-8 storage between quotes; any other goes through `CanonicalJSON`.
    mutating func string(_ s: String) {
        var s = s
        let plain = s.withUTF8 { (utf8) -> Bool in
            for b in utf8 where b < 0x20 || b == 0x22 || b == 0x5C { return false }
            let n = utf8.count
            if n + 2 <= Self.capacity, let source = utf8.baseAddress {
                let target = room(n + 2)
                target.pointee = UInt8(ascii: "\"")
                (target + 1).update(from: source, count: n)
                target[n + 1] = UInt8(ascii: "\"")
                advance(n + 2)
            } else {
                byte(UInt8(ascii: "\""))
                bytes(utf8)
                byte(UInt8(ascii: "\""))
            }
            return true
        }
        if !plain {
            flush()
            CanonicalJSON.writeString(s, into: &out.pointee)
        }
    }
}
