import CSHA256

/// SHA-256 (FIPS 180-4), for model content hashes. Whole blocks go to the x86 SHA extensions
/// (`CSHA256`) when the CPU has them, else to the Swift rounds below; both are tested against
/// the standard vectors and each other. Not constant-time (it hashes public model documents,
/// not secrets).
public struct SHA256: Sendable {
    /// The block function a hasher uses.
    enum Kernel: Sendable {
        /// `CSHA256` on the SHA extensions.
        case accelerated
        /// The Swift rounds in this file: any CPU.
        case portable
    }

    /// The fastest kernel this CPU runs, asked once per process.
    static let fastestKernel: Kernel = dl_sha256_accelerated_available() != 0 ? .accelerated : .portable

    /// H0…H7; a fixed-size vector so no compression allocates.
    private var state = SIMD8<UInt32>(
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0
    let kernel: Kernel

    public init() {
        kernel = Self.fastestKernel
    }

    /// A hasher on `kernel`, or on the portable one when this CPU lacks the accelerated one
    /// (tests compare the two).
    init(kernel: Kernel) {
        self.kernel = kernel == .accelerated ? Self.fastestKernel : .portable
    }

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { update(Array(bytes)) }
    }

    /// Hashes whole 64-byte blocks straight from `bytes` (a model document is tens of MB):
    /// only a partial block is buffered.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        length &+= UInt64(bytes.count)
        var rest = bytes[...]
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, rest.count)
            buffer.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            guard buffer.count == 64 else { return }
            let block = buffer
            buffer.removeAll(keepingCapacity: true)
            block.withUnsafeBytes { compress(blocks: $0) }
        }
        let whole = rest.count / 64 * 64
        if whole > 0 { compress(blocks: UnsafeRawBufferPointer(rebasing: rest.prefix(whole))) }
        buffer.append(contentsOf: rest.dropFirst(whole))
    }

    /// The 32-byte digest (the hasher is consumed).
    public consuming func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var tail = buffer
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { compress(blocks: $0) }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for k in 0..<8 {
            let word = state[k]
            out.append(UInt8(word >> 24))
            out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8))
            out.append(UInt8(truncatingIfNeeded: word))
        }
        return out
    }

    /// Compresses `blocks.count / 64` consecutive blocks on this hasher's kernel.
    private mutating func compress(blocks: UnsafeRawBufferPointer) {
        let count = blocks.count / 64
        guard count > 0 else { return }
        switch kernel {
        case .accelerated:
            withUnsafeMutableBytes(of: &state) { state in
                dl_sha256_compress(
                    state.baseAddress!.assumingMemoryBound(to: UInt32.self),
                    blocks.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
            }
        case .portable:
            compressPortably(blocks: blocks)
        }
    }

    /// The Swift rounds: compresses `blocks.count / 64` consecutive blocks, keeping the state and
    /// the message schedule in locals (no allocation per block).
    private mutating func compressPortably(blocks: UnsafeRawBufferPointer) {
        var h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3]
        var h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7]
        do {
            // K0…K63: `CSHA256`'s table, one copy for both kernels.
            let k = UnsafeBufferPointer(start: dl_sha256_round_constants(), count: 64)
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                var offset = 0
                while offset + 64 <= blocks.count {
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: blocks.loadUnaligned(fromByteOffset: offset + 4 * t, as: UInt32.self))
                    }
                    for t in 16..<64 {
                        let s0 = w[t - 15].rotatedRight(7) ^ w[t - 15].rotatedRight(18) ^ (w[t - 15] >> 3)
                        let s1 = w[t - 2].rotatedRight(17) ^ w[t - 2].rotatedRight(19) ^ (w[t - 2] >> 10)
                        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    for t in 0..<64 {
                        let s1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
                        let s0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = s0 &+ maj
                        h = g
                        g = f
                        f = e
                        e = d &+ t1
                        d = c
                        c = b
                        b = a
                        a = t1 &+ t2
                    }
                    h0 &+= a
                    h1 &+= b
                    h2 &+= c
                    h3 &+= d
                    h4 &+= e
                    h5 &+= f
                    h6 &+= g
                    h7 &+= h
                    offset += 64
                }
            }
        }
        state = SIMD8(h0, h1, h2, h3, h4, h5, h6, h7)
    }

    /// The digest of `bytes`.
    public static func hash<S: Sequence>(_ bytes: S) -> [UInt8] where S.Element == UInt8 {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }

    /// The digest of `bytes` as lowercase hex.
    public static func hexDigest<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        hex(hash(bytes))
    }

    /// `digest` as lowercase hex.
    static func hex(_ digest: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(digest.count * 2)
        appendHex(digest, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `digest` as lowercase hex.
    static func appendHex(_ digest: [UInt8], into out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        hex.withUTF8Buffer { hex in
            for b in digest {
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
    }
}

extension UInt32 {
    @inline(__always) fileprivate func rotatedRight(_ n: UInt32) -> UInt32 { (self >> n) | (self << (32 - n)) }
}
