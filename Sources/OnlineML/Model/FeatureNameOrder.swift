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
    ///
    /// Each name's JSON string is held once, in `list` (id order); the canonical order only
    /// indexes it. A learner keeps an entry per model (16 models of ~5,000 names in `bench
    /// pipeline`): with the strings also copied in canonical order and `Int` offsets, an entry
    /// took about twice the memory.
    struct Entry: Sendable {
        /// `order[k]`: the id of the `k`-th name in canonical order.
        var order: [Int] = []
        /// The names in id order as JSON strings separated by commas: the `features` array
        /// without its brackets…
        var list: [UInt8] = []
        /// …the string of name `id` ending at `ends[id]` (and starting one past the comma at
        /// `ends[id - 1]`, or at 0).
        var ends: [UInt32] = []
        /// Whether no name needed an escape, so each string is its name's bytes in quotes.
        var plain = true

        /// The `k`-th string in canonical order, in `list`.
        func string(_ k: Int, in strings: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            let id = order[k]
            return UnsafeBufferPointer(rebasing: strings[(id == 0 ? 0 : Int(ends[id - 1]) + 1)..<Int(ends[id])])
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
        return entry.list.withUnsafeBufferPointer { strings in
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
    /// at its place among the kept ones (a binary search on the kept names' bytes); their
    /// strings are appended to the list.
    static func extend(_ entry: Entry, to names: [String]) -> Entry {
        let first = entry.order.count
        guard first < names.count else { return entry }
        let added = build(Array(names[first...]))
        // Escaped strings do not sort as their names: start over (names needing an escape are rare).
        guard entry.plain, added.plain else { return build(names) }
        var result = Entry()
        result.list.reserveCapacity(entry.list.count + 1 + added.list.count)
        result.list.append(contentsOf: entry.list)
        if !result.list.isEmpty { result.list.append(UInt8(ascii: ",")) }
        let shift = UInt32(result.list.count)
        result.list.append(contentsOf: added.list)
        result.ends.reserveCapacity(names.count)
        result.ends.append(contentsOf: entry.ends)
        result.ends.append(contentsOf: added.ends.lazy.map { $0 + shift })
        result.order.reserveCapacity(names.count)
        entry.list.withUnsafeBufferPointer { kept in
            added.list.withUnsafeBufferPointer { new in
                var start = 0
                for k in added.order.indices {
                    let string = added.string(k, in: new)
                    // The first kept name after this one (names are distinct).
                    var low = start, high = first
                    while low < high {
                        let mid = (low + high) / 2
                        if precedes(entry.string(mid, in: kept), string) { low = mid + 1 } else { high = mid }
                    }
                    // Kept names `start..<low` in one go (runs are long: a document adds few names).
                    result.order.append(contentsOf: entry.order[start..<low])
                    result.order.append(first + added.order[k])
                    start = low
                }
                result.order.append(contentsOf: entry.order[start..<first])
            }
        }
        return result
    }

    /// An entry for `names`, sorted and written from scratch.
    static func build(_ names: [String]) -> Entry {
        var entry = Entry()
        entry.order = CanonicalJSON.sortedOrder(names)
        entry.ends.reserveCapacity(names.count)
        for (id, name) in names.enumerated() {
            if id > 0 { entry.list.append(UInt8(ascii: ",")) }
            let start = entry.list.count
            CanonicalJSON.writeString(name, into: &entry.list)
            entry.ends.append(UInt32(entry.list.count))
            if entry.list.count - start != name.utf8.count + 2 { entry.plain = false }
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
