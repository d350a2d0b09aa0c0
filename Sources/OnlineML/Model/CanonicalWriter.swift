/// Appends many short pieces of canonical JSON (``CanonicalJSON``'s text) to a byte array
/// through a buffer on the stack, one `append` per buffer-full. The one writer of model
/// documents (OnlineML) and of record payloads (Pipeline, which emits keys already in sorted
/// order, so no `JSONValue` tree is built and no keys are sorted per record).
///
/// A model document holds a name and a number per feature in each keyed member, and a
/// prediction record some twenty short pieces: appending each piece to the `[UInt8]` directly
/// (a uniqueness and capacity check and a copy call per piece, a temporary buffer per number)
/// cost about as much as formatting the numbers. Here the pieces are written through a pointer
/// and copied out in runs; the bytes are the same.
///
/// Public and `@inlinable`: Pipeline writes a record per event through it, and a call per
/// piece across the module boundary would cost what the buffer saves (the compiler does not
/// inline a `package` declaration's `@inlinable` body into another module: measured, every
/// piece of a record was a call).
public struct CanonicalWriter: ~Copyable {
    @usableFromInline let out: UnsafeMutablePointer<[UInt8]>
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0

    /// What `withUnsafeTemporaryAllocation` always places on the stack (a larger buffer makes
    /// it ask the runtime about the thread's stack, on every call).
    public static let capacity = 1024

    @inlinable
    init(out: UnsafeMutablePointer<[UInt8]>, base: UnsafeMutablePointer<UInt8>) {
        self.out = out
        self.base = base
    }

    /// Runs `body` with a writer whose pieces end up appended to `out`, in order.
    @inlinable
    public static func appending(to out: inout [UInt8], _ body: (inout CanonicalWriter) -> Void) {
        withUnsafeMutablePointer(to: &out) { target in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
                var writer = CanonicalWriter(out: target, base: buffer.baseAddress!)
                body(&writer)
                writer.flush()
            }
        }
    }

    /// The bytes `body` writes: a record shorter than ``capacity`` costs one allocation (the
    /// returned array).
    @inlinable
    public static func bytes(_ body: (inout CanonicalWriter) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        appending(to: &out, body)
        return out
    }

    /// Moves the staged bytes to the array.
    @inlinable
    public mutating func flush() {
        guard count > 0 else { return }
        out.pointee.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        count = 0
    }

    /// Where the next `n` (at most ``capacity``) bytes go; the caller writes them and then
    /// adds `n` to `count`.
    @inlinable @inline(__always)
    mutating func room(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if count + n > Self.capacity { flush() }
        return base + count
    }

    @inlinable @inline(__always)
    public mutating func byte(_ b: UInt8) {
        room(1).pointee = b
        count += 1
    }

    /// Raw bytes: short pieces byte by byte (no call), longer ones with one copy, and a run
    /// longer than the buffer to the array directly.
    @inlinable @inline(__always)
    public mutating func raw(_ piece: UnsafeBufferPointer<UInt8>) {
        let n = piece.count
        guard n > 0, let source = piece.baseAddress else { return }
        if n > Self.capacity {
            flush()
            out.pointee.append(contentsOf: piece)
            return
        }
        Self.copy(source, n, to: room(n))
        count += n
    }

    /// Short runs (names, keys, topics) byte by byte, without a `memcpy` call.
    @inlinable @inline(__always)
    static func copy(_ source: UnsafePointer<UInt8>, _ n: Int, to target: UnsafeMutablePointer<UInt8>) {
        if n <= 16 {
            for k in 0..<n { target[k] = source[k] }
        } else {
            target.update(from: source, count: n)
        }
    }

    @inlinable @inline(__always)
    public mutating func raw(_ text: StaticString) {
        raw(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `CanonicalJSON.writeNumber`'s text, formatted in place (no `String`).
    @inlinable @inline(__always)
    public mutating func number(_ x: Double) {
        let target = room(CanonicalJSON.numberCapacity)
        count += CanonicalJSON.formatNumber(x, at: target)
    }

    /// `CanonicalJSON.writeInteger`'s text.
    @inlinable @inline(__always)
    public mutating func integer(_ i: Int64) {
        let target = room(CanonicalJSON.integerCapacity)
        count += CanonicalJSON.formatInteger(i, at: target)
    }

    /// `CanonicalJSON.writeString`'s text: a string that needs no escape is copied from its
    /// UTF-8 storage between quotes; any other goes through `CanonicalJSON`.
    @inlinable
    public mutating func string(_ s: String) {
        var s = s
        let plain = s.withUTF8 { (utf8) -> Bool in
            for b in utf8 where b < 0x20 || b == 0x22 || b == 0x5C { return false }
            let n = utf8.count
            if n + 2 <= Self.capacity, let source = utf8.baseAddress {
                let target = room(n + 2)
                target.pointee = UInt8(ascii: "\"")
                Self.copy(source, n, to: target + 1)
                target[n + 1] = UInt8(ascii: "\"")
                count += n + 2
            } else {
                byte(UInt8(ascii: "\""))
                raw(utf8)
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
