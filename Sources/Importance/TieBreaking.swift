import MultiObjective

/// The preprocessing scikit-learn applies before its k-NN MI estimators, reproduced so numbers agree.
///
/// 1. Divide by the standard deviation (population, ddof 0) **without centring**; a constant
///    variable is left unscaled (scikit-learn's `scale(with_mean=False)`).
/// 2. Add `1e-10 · max(1, mean|x|) · N(0, 1)` to every value. This breaks exact ties: post-ReLU
///    features are exactly 0 in a large share of samples, and a k-NN estimator on tied points
///    sees zero radii and collapses. The noise is far below any real difference between values,
///    so it only decides the order among tied points — randomly, like scikit-learn (whose
///    generator differs from ours, hence agreement to noise level, not bit for bit).
public enum TieBreaking {
    public static let noiseScale = 1e-10

    /// Scales `values` in place by their standard deviation (no centring).
    public static func scaleByStandardDeviation(_ values: UnsafeMutableBufferPointer<Double>) {
        let n = values.count
        guard n > 0 else { return }
        var mean = 0.0
        for v in values { mean += v }
        mean /= Double(n)
        var ss = 0.0
        for v in values { let d = v - mean; ss += d * d }
        let sd = (ss / Double(n)).squareRoot()
        // scikit-learn treats a scale below 10·eps as zero and keeps the data as is.
        guard sd > 10 * Double.ulpOfOne, sd.isFinite else { return }
        for i in 0..<n { values[i] /= sd }
    }

    /// Adds `1e-10 · max(1, mean|x|) · N(0,1)` noise, drawn from `random`.
    public static func addNoise(_ values: UnsafeMutableBufferPointer<Double>, random: inout SeededRandom) {
        let n = values.count
        guard n > 0 else { return }
        var meanAbs = 0.0
        for v in values { meanAbs += abs(v) }
        meanAbs /= Double(n)
        let amplitude = noiseScale * max(1, meanAbs)
        for i in 0..<n { values[i] += amplitude * random.nextNormal() }
    }

    /// Both steps, as scikit-learn does for a continuous variable.
    public static func prepare(_ values: UnsafeMutableBufferPointer<Double>, random: inout SeededRandom) {
        scaleByStandardDeviation(values)
        addNoise(values, random: &random)
    }
}
