#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A vocabulary's feature names sorted in canonical (UTF-8 byte) order and written as JSON
/// strings, remembered from one published model document to the next.
///
/// A learner publishes a document every few thousand events and its vocabulary only grows in
/// between, so sorting and escaping every name per document repeats the same work (a quarter of
/// writing one). Each model keeps its last result beside it (``ModelPipeline/nameOrder``, shared
/// by the pipeline's copies), and reuses it when it still describes the names it covers: the
/// `k`-th kept string is the JSON string of `names[order[k]]` for every `k`. That check alone
/// makes a reuse correct — the kept strings are strictly increasing and `order` a permutation of
/// `0..<order.count`, by construction — whatever reset, restore or copy of the model asks;
/// names added since are sorted on their own and merged in. Nothing here changes a document's
/// bytes. Kept per model rather than process-wide, an order lives as long as its model and no
/// longer (a process-wide cache of 32 held a reset model's order until 32 others had replaced it).
enum FeatureNameOrder {
    /// Names `0..<order.count` of one vocabulary.
    struct Entry: Sendable {
        /// `order[k]`: the id of the `k`-th name in canonical order.
        var order: [Int] = []
        /// The canonical JSON strings of the names in canonical order, concatenated…
        var strings: [UInt8] = []
        /// …the `k`-th ending at `ends[k]` (and starting at `ends[k - 1]`, or 0).
        var ends: [Int] = []
        /// The names in id order as JSON strings separated by commas: the `features` array
        /// without its brackets.
        var list: [UInt8] = []
        /// Whether no name needed an escape, so each string is its name's bytes in quotes.
        var plain = true

        /// The `k`-th string.
        func string(_ k: Int, in strings: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: strings[(k == 0 ? 0 : ends[k - 1])..<ends[k]])
        }
    }

    /// One model's last order: the entry of its latest document.
    final class Kept: Sendable {
        private let last = Mutex<Entry?>(nil)

        init() {}

        /// `names` sorted (for distinct names: the order `CanonicalJSON.sortedOrder(names)`
        /// gives) and written, reusing the kept entry where it still holds; the result is kept.
        func entry(for names: [String]) -> Entry {
            let kept = last.withLock { $0 }
            let entry = kept.flatMap { holds($0, for: names) ? extend($0, to: names) : nil } ?? build(names)
            // Copies of one pipeline (a document's and the learner's) share this: the last wins.
            last.withLock { $0 = entry }
            return entry
        }
    }

    /// Whether `entry` describes `names[0..<entry.order.count]`.
    static func holds(_ entry: Entry, for names: [String]) -> Bool {
        guard entry.order.count <= names.count else { return false }
        var escaped: [UInt8] = []
        return entry.strings.withUnsafeBufferPointer { strings in
            for (k, id) in entry.order.enumerated() {
                let string = entry.string(k, in: strings)
                var name = names[id]
                let same = name.withUTF8 { utf8 -> Bool in
                    if entry.plain {
                        return string.count == utf8.count + 2 && (utf8.isEmpty || memcmp(string.baseAddress! + 1, utf8.baseAddress!, utf8.count) == 0)
                    }
                    escaped.removeAll(keepingCapacity: true)
                    CanonicalJSON.writeString(names[id], into: &escaped)
                    return escaped.elementsEqual(string)
                }
                if !same { return false }
            }
            return true
        }
    }

    /// `entry` with the names past its end: those sorted among themselves, then each inserted
    /// at its place among the kept ones (a binary search on the kept names' bytes).
    static func extend(_ entry: Entry, to names: [String]) -> Entry {
        let first = entry.order.count
        guard first < names.count else { return entry }
        let added = build(Array(names[first...]))
        // Escaped strings do not sort as their names: start over (names needing an escape are rare).
        guard entry.plain, added.plain else { return build(names) }
        var result = Entry()
        result.order.reserveCapacity(names.count)
        result.ends.reserveCapacity(names.count)
        result.strings.reserveCapacity(entry.strings.count + added.strings.count)
        entry.strings.withUnsafeBufferPointer { kept in
            added.strings.withUnsafeBufferPointer { new in
                func append(_ string: UnsafeBufferPointer<UInt8>, id: Int) {
                    result.order.append(id)
                    result.strings.append(contentsOf: string)
                    result.ends.append(result.strings.count)
                }
                // Kept names `run` in one go (runs are long: a document adds few names).
                func appendKept(_ run: Range<Int>) {
                    guard !run.isEmpty else { return }
                    let from = run.lowerBound == 0 ? 0 : entry.ends[run.lowerBound - 1]
                    let shift = result.strings.count - from
                    result.order.append(contentsOf: entry.order[run])
                    result.strings.append(contentsOf: UnsafeBufferPointer(rebasing: kept[from..<entry.ends[run.upperBound - 1]]))
                    result.ends.append(contentsOf: entry.ends[run].lazy.map { $0 + shift })
                }
                var start = 0
                for k in added.order.indices {
                    let string = added.string(k, in: new)
                    // The first kept name after this one (names are distinct).
                    var low = start, high = first
                    while low < high {
                        let mid = (low + high) / 2
                        if precedes(entry.string(mid, in: kept), string) { low = mid + 1 } else { high = mid }
                    }
                    appendKept(start..<low)
                    append(string, id: first + added.order[k])
                    start = low
                }
                appendKept(start..<first)
            }
        }
        result.list = entry.list
        if !result.list.isEmpty { result.list.append(UInt8(ascii: ",")) }
        result.list.append(contentsOf: added.list)
        return result
    }

    /// An entry for `names`, sorted and written from scratch.
    static func build(_ names: [String]) -> Entry {
        var entry = Entry()
        entry.order = CanonicalJSON.sortedOrder(names)
        entry.ends.reserveCapacity(names.count)
        for id in entry.order {
            let start = entry.strings.count
            CanonicalJSON.writeString(names[id], into: &entry.strings)
            entry.ends.append(entry.strings.count)
            if entry.strings.count - start != names[id].utf8.count + 2 { entry.plain = false }
        }
        for (id, name) in names.enumerated() {
            if id > 0 { entry.list.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(name, into: &entry.list)
        }
        return entry
    }

    /// Whether the name in the plain JSON string `a` sorts before the one in `b`: their bytes
    /// between the quotes (whole, `"ab!"` would sort before `"ab"`).
    private static func precedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let x = a.count - 2, y = b.count - 2
        let n = min(x, y)
        if n > 0 {
            let order = memcmp(a.baseAddress! + 1, b.baseAddress! + 1, n)
            if order != 0 { return order < 0 }
        }
        return x < y
    }
}
