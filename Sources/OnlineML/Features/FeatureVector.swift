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
    public mutating func canonicalize() {
        let n = indices.count
        guard n > 1 else { return }
        var sorted = true
        for k in 1..<n where indices[k - 1] >= indices[k] {
            sorted = false
            break
        }
        if sorted { return }
        for k in 1..<n {
            let i = indices[k], v = values[k]
            var j = k - 1
            while j >= 0 && indices[j] > i {
                indices[j + 1] = indices[j]
                values[j + 1] = values[j]
                j -= 1
            }
            indices[j + 1] = i
            values[j + 1] = v
        }
        var w = 0
        for r in 1..<n {
            if indices[r] == indices[w] {
                values[w] += values[r]
            } else {
                w += 1
                indices[w] = indices[r]
                values[w] = values[r]
            }
        }
        indices.removeLast(n - w - 1)
        values.removeLast(n - w - 1)
    }
}
