/// One process's resident memory (VmRSS) sampled over a run, each sample with how many of its
/// input records the process had worked through then: what `bench pipeline`'s RSS part
/// reduces to a peak and a steady figure.
///
/// Steady is the highest sample from the first one at which the process had worked through
/// a given share of its input, to the end of the run (the idle seconds after included): the
/// start of a backlog — first fetches of every partition at once, the prefetch queue filled
/// before the first record is processed, the first growth of the state — is left out, and
/// nothing after it is. The highest, not a mean or a late sample, because a bound on memory
/// is about its highest level; a stage whose memory keeps growing with its input shows it.
struct ResidentMemorySeries: Sendable {
    struct Sample: Sendable {
        /// Input records worked through when the sample was taken.
        var processed: Int64
        var kilobytes: Int
    }

    private(set) var samples: [Sample] = []

    mutating func append(processed: Int64, kilobytes: Int) {
        samples.append(Sample(processed: processed, kilobytes: kilobytes))
    }

    /// The highest sample of the run (0 for none).
    var peakKilobytes: Int { samples.map(\.kilobytes).max() ?? 0 }

    /// The highest sample from the first one with at least `share` of `total` input records
    /// worked through; nil if the run never got that far.
    func steadyKilobytes(fromShare share: Double, of total: Int64) -> Int? {
        let threshold = Int64((share * Double(total)).rounded(.up))
        guard let first = samples.firstIndex(where: { $0.processed >= threshold }) else { return nil }
        return samples[first...].map(\.kilobytes).max()
    }

    /// The last sample (the idle process after its input), 0 for none.
    var lastKilobytes: Int { samples.last?.kilobytes ?? 0 }
}
