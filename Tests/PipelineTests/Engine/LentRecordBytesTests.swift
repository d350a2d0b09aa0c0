import Foundation
import Synchronization
import Testing

@testable import Pipeline

/// The lending rules of ``LentRecordBytes``: reads on the lending thread see the lent memory,
/// `keep` copies it and waits for readers on other threads, and kept bytes outlive the memory.
@Suite struct LentRecordBytesTests {
    @Test func keptBytesOutliveTheLentMemory() {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 5, alignment: 1)
        memory.copyBytes(from: Array("kv123".utf8))
        let bytes = LentRecordBytes()
        bytes.lend(key: UnsafeRawBufferPointer(rebasing: memory[0..<2]), value: UnsafeRawBufferPointer(rebasing: memory[2..<5]))
        #expect(bytes.key == Array("kv".utf8))
        #expect(bytes.withBytes { _, value in value?.baseAddress } == UnsafeRawPointer(memory.baseAddress! + 2))
        bytes.keep()
        memory.copyBytes(from: Array("xxxxx".utf8))
        memory.deallocate()
        #expect(bytes.key == Array("kv".utf8))
        #expect(bytes.value == Array("123".utf8))
    }

    @Test func keepWaitsForAReaderOnAnotherThread() {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 3, alignment: 1)
        memory.copyBytes(from: Array("abc".utf8))
        let bytes = LentRecordBytes()
        bytes.lend(key: nil, value: UnsafeRawBufferPointer(memory))
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let read = Mutex<[UInt8]?>(nil)
        let reader = Thread {
            bytes.withBytes { _, value in
                entered.signal()
                release.wait()
                read.withLock { $0 = value.map { Array($0) } }
            }
        }
        reader.start()
        entered.wait()
        // Let the reader go a little later, from a third thread: `keep` (here, on the lending
        // thread) must not return before the reader has left the lent memory.
        Thread { usleep(50_000); release.signal() }.start()
        bytes.keep()
        // The reader finished its read before `keep` returned (it was still blocked otherwise).
        let readWhenKept = read.withLock { $0 }
        memory.deallocate()
        #expect(readWhenKept == Array("abc".utf8))
        #expect(bytes.value == Array("abc".utf8))
        #expect(bytes.key == nil)
    }

    @Test func readsFromAnotherThreadAfterKeepUseTheCopies() {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 2, alignment: 1)
        memory.copyBytes(from: Array("hi".utf8))
        let bytes = LentRecordBytes()
        bytes.lend(key: UnsafeRawBufferPointer(memory), value: nil)
        bytes.keep()
        memory.deallocate()
        let seen = Mutex<[UInt8]?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            seen.withLock { $0 = bytes.key }
            done.signal()
        }.start()
        done.wait()
        #expect(seen.withLock { $0 } == Array("hi".utf8))
    }
}
