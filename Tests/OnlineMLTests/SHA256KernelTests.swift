import Foundation
import Testing

@testable import OnlineML

/// The accelerated kernel (x86 SHA extensions) and the portable Swift rounds give the same
/// digests: the FIPS 180-4 examples on both, then random messages and incremental updates
/// compared between them. On a CPU without the extensions both hashers run the Swift rounds.
@Suite struct SHA256KernelTests {
    static let kernels: [SHA256.Kernel] = [.accelerated, .portable]

    static func digest(_ bytes: [UInt8], _ kernel: SHA256.Kernel) -> String {
        var hasher = SHA256(kernel: kernel)
        hasher.update(bytes)
        return SHA256.hex(hasher.finalize())
    }

    @Test(arguments: kernels) func standardVectors(kernel: SHA256.Kernel) {
        let vectors: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
        ]
        for (message, expected) in vectors {
            #expect(Self.digest(Array(message.utf8), kernel) == expected, "\(message.utf8.count) bytes")
        }
        #expect(
            Self.digest([UInt8](repeating: 0x61, count: 1_000_000), kernel)
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every length 0…300 crosses each padding case (tail fits in the last block or not) and
    /// one to five whole blocks.
    @Test func randomMessagesAgreeBetweenKernels() {
        var random = TestRandom(seed: 42)
        for length in 0...300 {
            let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            #expect(Self.digest(message, .accelerated) == Self.digest(message, .portable), "length \(length)")
        }
    }

    /// Updates of random sizes (empty, partial blocks, runs of whole blocks) give the one-shot
    /// digest on both kernels.
    @Test(arguments: kernels) func incrementalUpdatesGiveTheOneShotDigest(kernel: SHA256.Kernel) {
        var random = TestRandom(seed: 7)
        for _ in 0..<20 {
            let message = (0..<(1 + random.int(5000))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var hasher = SHA256(kernel: kernel)
            var start = 0
            while start < message.count {
                let size = min(message.count - start, [0, 1, 63, 64, 65, 200, 1024][random.int(7)])
                message[start..<(start + size)].withUnsafeBytes { hasher.update($0) }
                start += size
            }
            #expect(SHA256.hex(hasher.finalize()) == Self.digest(message, .portable))
            #expect(SHA256.hex(SHA256(kernel: kernel).finalize()) == Self.digest([], .portable))
        }
    }

    /// `SHA256()` takes the accelerated kernel exactly when the CPU lists the SHA extensions
    /// (Linux names the flag `sha_ni`; an x86 CPU without it, or any other, gets the Swift rounds).
    @Test func theDefaultKernelFollowsTheCPU() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { $0.split(separator: " ") } ?? []
        let listed = flags.contains("sha_ni")
        #expect(SHA256().kernel == (listed ? .accelerated : .portable))
        #expect(SHA256(kernel: .accelerated).kernel == (listed ? .accelerated : .portable))
    }

    /// A model document's content hash is the one the Swift-only hasher gave before the kernel
    /// existed (pinned), and both kernels agree on it.
    @Test func documentHashIsUnchanged() throws {
        var pipeline = classifierPipeline(
            .init(scaling: .standard, missing: .mean, missingIndicator: true), .init(loss: .log, optimizer: .adam(0.05), l1: 0.001))
        for e in mixedEvents(count: 300, seed: 3) { _ = try pipeline.processOne(e) }
        let document = ModelDocument(
            name: "m", version: 2, parentVersion: 1, pipeline: pipeline,
            trainingOffsets: [TrainingOffsetRange(topic: "e", partition: 1, first: 5, last: 304)],
            metrics: ["accuracy": 0.5], createdAt: "2026-11-28T00:00:00Z")
        let content = document.hashedContentBytes()
        #expect("sha256:" + Self.digest(content, .portable) == document.contentHash)
        #expect("sha256:" + Self.digest(content, .accelerated) == document.contentHash)
        #expect(document.contentHash == "sha256:52159746a3439907f3b51bf7b0f056516004e63a4cdbb0519afa41ede039ba94")
    }
}
