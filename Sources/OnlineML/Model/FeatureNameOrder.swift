#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The canonical (UTF-8 byte) order of a model's feature names, remembered from one published
/// document to the next.
///
/// A learner publishes a document every few thousand events and its vocabulary only grows in
/// between, so re-sorting every name per document (a fifth of writing one) repeats the same
/// work. The last orders computed are kept here, and one is reused when it still describes the
/// names it covers: `names[order[k]]` has the bytes of `sorted[k]` for every `k`. That check
/// alone makes a reuse correct (`sorted` is strictly increasing and `order` a permutation of
/// `0..<order.count`, by construction), whatever model, reset or restore the entry came from;
/// the names added since are sorted on their own and merged in. Nothing here affects output.
enum FeatureNameOrder {
    /// One vocabulary's names `0..<order.count` in canonical order.
    struct Entry: Sendable {
        /// `order[k]`: the id of the `k`-th name in canonical order.
        var order: [Int]
        /// `sorted[k] == names[order[k]]`.
        var sorted: [String]
    }

    /// Orders kept (most recently used last): a learner thread publishes for up to one model
    /// per input partition.
    static let capacity = 32

    private static let recent = Mutex<[Entry]>([])

    /// The ids of `names` in canonical order: `CanonicalJSON.sortedOrder(names)` for distinct
    /// names, reusing a kept order where one still holds.
    static func sortedOrder(_ names: [String]) -> [Int] {
        let kept = recent.withLock { $0 }
        var found: (index: Int, entry: Entry)?
        for index in kept.indices.reversed() where holds(kept[index], for: names) {
            found = (index, kept[index])
            break
        }
        let entry = found.map { extend($0.entry, to: names) } ?? sortAll(names)
        recent.withLock { recent in
            // Another thread may have changed the list meanwhile: it is only a cache.
            if let found, found.index < recent.count, recent[found.index].order.count == found.entry.order.count {
                recent.remove(at: found.index)
            }
            while recent.count >= capacity { recent.removeFirst() }
            recent.append(entry)
        }
        return entry.order
    }

    /// Whether `entry` is the canonical order of `names[0..<entry.order.count]`.
    static func holds(_ entry: Entry, for names: [String]) -> Bool {
        guard entry.order.count <= names.count else { return false }
        return entry.order.withUnsafeBufferPointer { order in
            for k in order.indices where !sameBytes(names[order[k]], entry.sorted[k]) { return false }
            return true
        }
    }

    /// `entry` with the names past its end (sorted among themselves, then each inserted at its
    /// place among the kept ones).
    static func extend(_ entry: Entry, to names: [String]) -> Entry {
        let first = entry.order.count
        guard first < names.count else { return entry }
        let added = CanonicalJSON.sortedOrder(Array(names[first...])).map { first + $0 }
        var result = Entry(order: [], sorted: [])
        result.order.reserveCapacity(names.count)
        result.sorted.reserveCapacity(names.count)
        var start = 0
        for id in added {
            // The first kept name after `names[id]` (names are distinct).
            var low = start, high = first
            while low < high {
                let mid = (low + high) / 2
                if CanonicalJSON.utf8Precedes(entry.sorted[mid], names[id]) { low = mid + 1 } else { high = mid }
            }
            result.order.append(contentsOf: entry.order[start..<low])
            result.sorted.append(contentsOf: entry.sorted[start..<low])
            result.order.append(id)
            result.sorted.append(names[id])
            start = low
        }
        result.order.append(contentsOf: entry.order[start...])
        result.sorted.append(contentsOf: entry.sorted[start...])
        return result
    }

    static func sortAll(_ names: [String]) -> Entry {
        let order = CanonicalJSON.sortedOrder(names)
        return Entry(order: order, sorted: order.map { names[$0] })
    }

    /// Byte equality (`==` on `String` is canonical equivalence, which bytes order is not).
    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) }
        }
    }
}
