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

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

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
        Self.k.withUnsafeBufferPointer { k in
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
