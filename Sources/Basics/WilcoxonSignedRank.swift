import Foundation

/// The paired Wilcoxon signed-rank test, as used to compare two optimisers' hypervolumes over the
/// same seeds. Conventions follow SciPy's `scipy.stats.wilcoxon` defaults (zero differences
/// dropped, two-sided, no continuity correction, `method="auto"`): with no zero difference and no
/// tied magnitudes among at most 50 pairs, the exact null distribution; with ties or zeros among at
/// most 13 pairs, the exact sign-flip permutation distribution of the rank sum; otherwise the
/// normal approximation with the tie correction.
public struct WilcoxonSignedRank: Sendable, Equatable {
    /// The smaller of the positive and negative rank sums (SciPy's two-sided statistic).
    public let statistic: Double
    /// Two-sided p-value.
    public let pValue: Double
    /// Pairs with a non-zero difference (the test's sample size).
    public let nonZeroPairs: Int
    /// How the p-value was obtained.
    public let method: Method

    public enum Method: String, Sendable { case exact, permutation, asymptotic }

    /// Tests whether the differences `a[i] − b[i]` are symmetric about zero. Nil when there is no
    /// non-zero difference (the test is undefined).
    public init?(_ a: [Double], _ b: [Double]) {
        precondition(a.count == b.count, "paired samples must have the same length")
        let all = zip(a, b).map { $0 - $1 }.filter { !$0.isNaN }
        let d = all.filter { $0 != 0 }
        let n = d.count
        let hasZeros = d.count < all.count
        guard n > 0 else { return nil }
        let magnitudes = d.map(abs)
        let ranks = WilcoxonSignedRank.averageRanks(magnitudes)
        var plus = 0.0, minus = 0.0
        for (di, r) in zip(d, ranks) { if di > 0 { plus += r } else { minus += r } }
        statistic = min(plus, minus)
        nonZeroPairs = n
        let tied = Set(magnitudes).count < n
        if all.count <= 50 && !tied && !hasZeros {
            method = .exact
            pValue = WilcoxonSignedRank.exactTwoSided(statistic: Int(statistic), n: n)
        } else if all.count <= 13 {
            method = .permutation
            pValue = WilcoxonSignedRank.signFlipTwoSided(ranks: ranks, observedPlus: plus)
        } else {
            method = .asymptotic
            let mean = Double(n * (n + 1)) / 4
            var variance = Double(n * (n + 1) * (2 * n + 1)) / 24
            // Tie correction: each group of t equal magnitudes lowers the variance by (t³ − t)/48.
            var counts: [Double: Int] = [:]
            for m in magnitudes { counts[m, default: 0] += 1 }
            for t in counts.values where t > 1 { variance -= Double(t * t * t - t) / 48 }
            let z = variance > 0 ? (statistic - mean) / variance.squareRoot() : 0
            pValue = min(1, erfc(abs(z) / 2.0.squareRoot()))
        }
    }

    /// Ranks 1…n of `values` ascending, ties sharing their average rank.
    static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let average = Double(i + j + 2) / 2
            for k in i...j { ranks[order[k]] = average }
            i = j + 1
        }
        return ranks
    }

    /// Two-sided p-value of the positive rank sum over all 2^n sign assignments of the ranks.
    static func signFlipTwoSided(ranks: [Double], observedPlus: Double) -> Double {
        let n = ranks.count
        let tolerance = 1e-9 * max(1, abs(observedPlus))
        var atMost = 0.0, atLeast = 0.0
        for mask in 0..<(1 << n) {
            var sum = 0.0
            for i in 0..<n where mask & (1 << i) != 0 { sum += ranks[i] }
            if sum <= observedPlus + tolerance { atMost += 1 }
            if sum >= observedPlus - tolerance { atLeast += 1 }
        }
        let total = Double(1 << n)
        return min(1, 2 * min(atMost, atLeast) / total)
    }

    /// P(T ≤ t) doubled, capped at 1, where T is the sum of a random subset of {1…n} (the null
    /// distribution of either rank sum), counted exactly by dynamic programming over the sums.
    static func exactTwoSided(statistic t: Int, n: Int) -> Double {
        let maxSum = n * (n + 1) / 2
        var counts = [Double](repeating: 0, count: maxSum + 1)
        counts[0] = 1
        for r in 1...n {
            for s in stride(from: maxSum, through: r, by: -1) { counts[s] += counts[s - r] }
        }
        let total = pow(2.0, Double(n))
        let lower = counts[0...min(t, maxSum)].reduce(0, +)
        return min(1, 2 * lower / total)
    }
}
