import Foundation

/// One method's rate–quality curve, prepared for Bjøntegaard deltas.
///
/// Points taken from a front are not a curve: a front of several tasks, seen along one task, holds
/// points that are worse in that task at a higher rate, repeated rates and repeated metrics. A
/// curve keeps the points nothing beats on this (rate, quality) pair, its non-dominated envelope:
///
/// 1. a point whose rate or quality is not finite, or whose rate is ≤ 0, is dropped (a zero rate,
///    e.g. every channel dropped, has no logarithm);
/// 2. the rest, sorted by rate (equal rates: highest quality first), keep each point whose quality
///    is strictly higher than every quality kept before it; so of equal rates the best quality is
///    kept, of equal qualities the lowest rate, and exact duplicates count once.
///
/// The result has strictly increasing rates *and* qualities, so log-rate is a function of quality
/// and quality one of log-rate. Quality is higher-is-better (accuracy, mIoU, PSNR). (CompressAI-
/// Vision can instead refit non-monotone points with a constrained cubic, Wang et al., PCS 2024;
/// the envelope keeps the measured points, which is what a front claims.)
public struct RateQualityCurve: Sendable, Equatable {
    /// Strictly increasing, all > 0.
    public let rates: [Double]
    /// Strictly increasing, one per rate.
    public let qualities: [Double]

    /// The envelope of the points `(rates[i], qualities[i])`; nil when fewer than two points remain
    /// (no curve to integrate).
    public init?(rates: [Double], qualities: [Double]) {
        precondition(rates.count == qualities.count, "one quality per rate")
        let usable = zip(rates, qualities).filter { $0.0.isFinite && $0.0 > 0 && $0.1.isFinite }
        let sorted = usable.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 > $1.1 }
        var keptRates: [Double] = [], keptQualities: [Double] = []
        for (rate, quality) in sorted where quality > (keptQualities.last ?? -.infinity) {
            keptRates.append(rate)
            keptQualities.append(quality)
        }
        guard keptRates.count >= 2 else { return nil }
        self.rates = keptRates
        self.qualities = keptQualities
    }
}

/// Bjøntegaard deltas (VCEG-M33) between two rate–quality curves, with the piecewise cubic
/// interpolation of the MPEG/JVET common-test-condition Excel sheets (JCTVC-L1100 onwards), the
/// sheets CompressAI-Vision's MPEG FCM/VCM scripts fill, and which the `bjontegaard` Python package
/// reproduces as `method="pchip"`: `scipy.interpolate.PchipInterpolator` on log-rate against
/// quality, integrated exactly over the qualities both curves reach.
///
/// That interpolant is Fritsch–Carlson's monotone cubic Hermite family with the derivatives of
/// Fritsch & Butland (1984), as SciPy, MATLAB's `pchip` and SLATEC's PCHIM choose them: at an
/// inner point the weighted harmonic mean of the neighbouring slopes (0 where they differ in sign
/// or one is 0); at an end SciPy's one-sided three-point estimate, set to 0 when its sign differs
/// from the end slope's and limited to 3× that slope when the first two slopes differ in sign;
/// with two points, the straight line. The natural logarithm is used; the percentage is the same
/// as with log10 (both are the mean log ratio, exponentiated back).
///
/// Both deltas are nil, never NaN, when a curve is missing or the overlap is empty or a single
/// point. Overlaps that cover a small part of either curve still give a value (the `bjontegaard`
/// package warns below 75 % of the union of both ranges).
public enum BjontegaardDelta {
    /// BD-rate of `test` against `reference`, in percent: the average rate change at equal quality,
    /// `(exp(mean over the common quality range of ln r_test(q) − ln r_ref(q)) − 1) · 100`.
    /// Negative: `test` needs fewer bits for the same quality.
    public static func rate(of test: RateQualityCurve, against reference: RateQualityCurve) -> Double? {
        guard let meanLogRatio = meanDifference(
            test: MonotoneCubicInterpolant(x: test.qualities, y: test.rates.map { log($0) }),
            reference: MonotoneCubicInterpolant(x: reference.qualities, y: reference.rates.map { log($0) })
        ) else { return nil }
        let percent = expm1(meanLogRatio) * 100
        return percent.isFinite ? percent : nil
    }

    /// BD-quality (BD-PSNR for PSNR) of `test` against `reference`, in the quality's own unit: the
    /// average quality difference `q_test − q_ref` at equal rate, over the common log-rate range.
    /// Positive: `test` is better at the same rate.
    public static func quality(of test: RateQualityCurve, against reference: RateQualityCurve) -> Double? {
        meanDifference(
            test: MonotoneCubicInterpolant(x: test.rates.map { log($0) }, y: test.qualities),
            reference: MonotoneCubicInterpolant(x: reference.rates.map { log($0) }, y: reference.qualities)
        )
    }

    /// The mean of `test(x) − reference(x)` over the x both cover; nil when that is not an interval.
    static func meanDifference(test: MonotoneCubicInterpolant, reference: MonotoneCubicInterpolant) -> Double? {
        let lower = max(test.x[0], reference.x[0])
        let upper = min(test.x[test.x.count - 1], reference.x[reference.x.count - 1])
        guard upper > lower else { return nil }
        let mean = (test.integral(from: lower, to: upper) - reference.integral(from: lower, to: upper)) / (upper - lower)
        return mean.isFinite ? mean : nil
    }
}

/// SciPy's `PchipInterpolator` through points with strictly increasing x, and its exact integral.
struct MonotoneCubicInterpolant: Sendable {
    let x: [Double]
    let y: [Double]
    /// The derivative at each point.
    let slopes: [Double]
    /// `cumulative[k]` is the integral from x[0] to x[k].
    let cumulative: [Double]

    init(x: [Double], y: [Double]) {
        precondition(x.count == y.count && x.count >= 2, "at least two points")
        self.x = x
        self.y = y
        let n = x.count
        let h = (0..<(n - 1)).map { x[$0 + 1] - x[$0] }
        let m = (0..<(n - 1)).map { (y[$0 + 1] - y[$0]) / h[$0] }
        var d = [Double](repeating: 0, count: n)
        if n == 2 {
            d[0] = m[0]
            d[1] = m[0]
        } else {
            for k in 1..<(n - 1) where m[k - 1] != 0 && m[k] != 0 && (m[k - 1] > 0) == (m[k] > 0) {
                let w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1]
                d[k] = (w1 + w2) / (w1 / m[k - 1] + w2 / m[k])
            }
            d[0] = Self.endSlope(h0: h[0], h1: h[1], m0: m[0], m1: m[1])
            d[n - 1] = Self.endSlope(h0: h[n - 2], h1: h[n - 3], m0: m[n - 2], m1: m[n - 3])
        }
        slopes = d
        var sums = [0.0]
        for k in 0..<(n - 1) { sums.append(sums[k] + h[k] * (y[k] + y[k + 1]) / 2 + h[k] * h[k] * (d[k] - d[k + 1]) / 12) }
        cumulative = sums
    }

    /// SciPy's one-sided three-point end derivative, kept shape-preserving.
    static func endSlope(h0: Double, h1: Double, m0: Double, m1: Double) -> Double {
        let d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
        if d.signum != m0.signum { return 0 }
        if m0.signum != m1.signum && abs(d) > 3 * abs(m0) { return 3 * m0 }
        return d
    }

    /// ∫ from a to b, both inside [x[0], x.last].
    func integral(from a: Double, to b: Double) -> Double { antiderivative(b) - antiderivative(a) }

    /// ∫ from x[0] to t: whole segments, then the Hermite basis integrated over the part of t's.
    func antiderivative(_ t: Double) -> Double {
        let k = segment(containing: t), h = x[k + 1] - x[k], s = (t - x[k]) / h
        let s2 = s * s, s3 = s2 * s, s4 = s3 * s
        let partial = y[k] * (s4 / 2 - s3 + s)
            + h * slopes[k] * (s4 / 4 - 2 * s3 / 3 + s2 / 2)
            + y[k + 1] * (s3 - s4 / 2)
            + h * slopes[k + 1] * (s4 / 4 - s3 / 3)
        return cumulative[k] + h * partial
    }

    /// The k with x[k] ≤ t ≤ x[k+1] (the last segment for t = x.last).
    func segment(containing t: Double) -> Int {
        var low = 0, high = x.count - 2
        while low < high {
            let mid = (low + high + 1) / 2
            if x[mid] <= t { low = mid } else { high = mid - 1 }
        }
        return low
    }
}

private extension Double {
    /// −1, 0 or 1 as NumPy's `sign` (0 for ±0).
    var signum: Int { self > 0 ? 1 : (self < 0 ? -1 : 0) }
}
