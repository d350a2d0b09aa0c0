/// A sparse feature vector: parallel arrays of feature ids (see ``FeatureVocabulary``) and values.
///
/// After ``canonicalize()`` the ids are strictly increasing, so dot products sum in id order
/// whatever order the event's fields came in: permuting fields gives bit-identical results.
public struct FeatureVector: Sendable, Hashable {
    public var indices: [Int]
    public var values: [Double]

    public init() {
        indices = []
        values = []
    }

    public init(indices: [Int], values: [Double]) {
        precondition(indices.count == values.count)
        self.indices = indices
        self.values = values
        canonicalize()
    }

    public var count: Int { indices.count }
    public var isEmpty: Bool { indices.isEmpty }

    @inlinable public mutating func append(_ index: Int, _ value: Double) {
        indices.append(index)
        values.append(value)
    }

    /// Empties the vector, keeping its capacity for the next event.
    public mutating func removeAll() {
        indices.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    /// Sorts by id (insertion sort: vectors are short and usually nearly sorted) and sums the
    /// values of repeated ids (hashing collisions), like River's feature hasher.
    ///
    /// The sort starts at the first element out of order (the transformer writes numeric
    /// features already in id order, then a few categorical ones), and the summing pass runs
    /// only when an id repeats. Same result as a full stable sort and sum.
    public mutating func canonicalize() {
        let n = indices.count
        guard n > 1 else { return }
        let firstOutOfOrder = indices.withUnsafeBufferPointer { idx in
            for k in 1..<n where idx[k - 1] >= idx[k] { return k }
            return n
        }
        if firstOutOfOrder == n { return }
        var kept = 0
        indices.withUnsafeMutableBufferPointer { idx in
            values.withUnsafeMutableBufferPointer { val in
                var repeated = false
                for k in firstOutOfOrder..<n {
                    let i = idx[k], v = val[k]
                    var j = k - 1
                    while j >= 0 && idx[j] > i {
                        idx[j + 1] = idx[j]
                        val[j + 1] = val[j]
                        j -= 1
                    }
                    if j >= 0 && idx[j] == i { repeated = true }
                    idx[j + 1] = i
                    val[j + 1] = v
                }
                guard repeated else {
                    kept = n
                    return
                }
                var w = 0
                for r in 1..<n {
                    if idx[r] == idx[w] {
                        val[w] += val[r]
                    } else {
                        w += 1
                        idx[w] = idx[r]
                        val[w] = val[r]
                    }
                }
                kept = w + 1
            }
        }
        if kept < n {
            indices.removeLast(n - kept)
            values.removeLast(n - kept)
        }
    }

    /// Fast filling for hot loops: `body` appends through a ``FeatureVectorWriter`` with no
    /// per-append capacity or uniqueness checks; at most `capacity` entries. Replaces the content.
    @inlinable
    public mutating func write(capacity: Int, _ body: (inout FeatureVectorWriter) -> Void) {
        // Written into temporary (usually stack) buffers, then copied in one go.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { idx in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: capacity) { val in
                var writer = FeatureVectorWriter(indices: idx, values: val)
                body(&writer)
                let n = writer.count
                Self.replaceContents(of: &indices, with: UnsafeBufferPointer(rebasing: idx[0..<n]))
                Self.replaceContents(of: &values, with: UnsafeBufferPointer(rebasing: val[0..<n]))
            }
        }
    }
}

extension FeatureVector {
    /// `array = Array(source)` reusing the array's storage: events of a stream usually give
    /// vectors of one length, so this is mostly a plain copy over the same count.
    @inlinable
    static func replaceContents<T>(of array: inout [T], with source: UnsafeBufferPointer<T>) {
        let n = source.count
        if array.count > n { array.removeLast(array.count - n) }
        let kept = array.count
        array.withUnsafeMutableBufferPointer { target in
            for k in 0..<kept { target[k] = source[k] }
        }
        if kept < n { array.append(contentsOf: UnsafeBufferPointer(rebasing: source[kept..<n])) }
    }
}

/// Appends into a ``FeatureVector``'s storage during ``FeatureVector/write(capacity:_:)``.
public struct FeatureVectorWriter {
    @usableFromInline let indices: UnsafeMutableBufferPointer<Int>
    @usableFromInline let values: UnsafeMutableBufferPointer<Double>
    @usableFromInline var _count = 0
    public var count: Int { _count }

    @usableFromInline init(indices: UnsafeMutableBufferPointer<Int>, values: UnsafeMutableBufferPointer<Double>) {
        self.indices = indices
        self.values = values
    }

    @inlinable @inline(__always)
    public mutating func append(_ index: Int, _ value: Double) {
        precondition(_count < indices.count, "FeatureVector.write: capacity exceeded")
        indices[_count] = index
        values[_count] = value
        _count += 1
    }
}
