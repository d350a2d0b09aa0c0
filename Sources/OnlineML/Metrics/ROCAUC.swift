/// Exact area under the ROC curve, streaming and revertible.
///
/// Method: the Mann–Whitney U statistic. The metric keeps every distinct score in a sorted array
/// with its counts of positives and negatives (binary search to update; removal when both
/// counts reach 0). AUC = Σ over score groups of pos·(negatives with a lower score + ½·negatives
/// with the same score) / (P·N): the probability that a random positive outranks a random
/// negative, ties counting half. `value` is O(distinct scores); memory is O(distinct scores).
/// (River's `ROCAUC` approximates with a fixed number of thresholds; this one is exact.)
/// 0 while one class is absent.
public struct ROCAUC: StreamingMetric {
    public static let name = "roc_auc"
    private var scores: [Double] = []
    private var positives: [Int] = []
    private var negatives: [Int] = []
    private var totalPositives = 0
    private var totalNegatives = 0

    public init() {}

    private func position(of score: Double) -> Int {
        var lo = 0, hi = scores.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if scores[mid] < score { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    public mutating func update(_ o: BinaryOutcome) {
        let s = o.probability
        let k = position(of: s)
        if k == scores.count || scores[k] != s {
            scores.insert(s, at: k)
            positives.insert(0, at: k)
            negatives.insert(0, at: k)
        }
        if o.label {
            positives[k] += 1
            totalPositives += 1
        } else {
            negatives[k] += 1
            totalNegatives += 1
        }
    }

    public mutating func revert(_ o: BinaryOutcome) {
        let s = o.probability
        let k = position(of: s)
        guard k < scores.count, scores[k] == s else { return }
        if o.label, positives[k] > 0 {
            positives[k] -= 1
            totalPositives -= 1
        } else if !o.label, negatives[k] > 0 {
            negatives[k] -= 1
            totalNegatives -= 1
        }
        if positives[k] == 0 && negatives[k] == 0 {
            scores.remove(at: k)
            positives.remove(at: k)
            negatives.remove(at: k)
        }
    }

    public var value: Double {
        guard totalPositives > 0, totalNegatives > 0 else { return 0 }
        var u = 0.0
        var negativesBelow = 0.0
        for k in 0..<scores.count {
            let n = Double(negatives[k])
            u += Double(positives[k]) * (negativesBelow + 0.5 * n)
            negativesBelow += n
        }
        return u / (Double(totalPositives) * Double(totalNegatives))
    }
}
