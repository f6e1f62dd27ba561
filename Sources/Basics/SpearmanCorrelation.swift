import Foundation

/// Spearman's rank correlation of paired samples, as `scipy.stats.spearmanr`: each sample is
/// replaced by its ranks (ties share their average rank), and the coefficient is Pearson's
/// correlation of the two rank vectors. With ties this is not `1 − 6Σd²/(n(n²−1))`, which holds
/// for distinct values only.
public struct SpearmanCorrelation: Sendable, Equatable {
    /// In [−1, 1].
    public let coefficient: Double
    /// Pairs used.
    public let count: Int

    /// Nil when the coefficient is undefined: fewer than two pairs, a NaN in either sample, or a
    /// sample whose values are all equal (its ranks have no variance; SciPy returns NaN).
    public init?(_ x: [Double], _ y: [Double]) {
        precondition(x.count == y.count, "paired samples must have the same length")
        guard x.count >= 2, !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else { return nil }
        let rx = WilcoxonSignedRank.averageRanks(x), ry = WilcoxonSignedRank.averageRanks(y)
        // Average ranks always have the mean (n + 1)/2, exactly representable.
        let mean = Double(x.count + 1) / 2
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(rx, ry) {
            sxy += (a - mean) * (b - mean)
            sxx += (a - mean) * (a - mean)
            syy += (b - mean) * (b - mean)
        }
        guard sxx > 0, syy > 0 else { return nil }
        coefficient = min(1, max(-1, sxy / (sxx * syy).squareRoot()))
        count = x.count
    }
}
