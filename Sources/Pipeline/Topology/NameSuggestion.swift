/// "Did you mean …?" for misspelled keys and values: the closest candidate by edit distance,
/// if it is close enough to be a plausible typo.
enum NameSuggestion {
    /// The candidate nearest to `word`, or `nil` if none is within
    /// `max(1, word.count / 3)` edits. Case, `-` and `_` differences count as a match.
    /// Ties keep the earlier candidate, so suggestions are deterministic.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let normalizedWord = normalize(word)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(normalizedWord, normalize(candidate))
            if best == nil || distance < best!.distance {
                best = (candidate, distance)
            }
        }
        guard let best else { return nil }
        return best.distance <= max(1, word.count / 3) ? best.candidate : nil
    }

    private static func normalize(_ word: String) -> [Character] {
        Array(word.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, table[i - 2][j - 2] + 1)
                }
                table[i][j] = value
            }
        }
        return table[a.count][b.count]
    }
}
