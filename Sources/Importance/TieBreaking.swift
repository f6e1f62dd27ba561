import Basics
import Foundation

/// The preprocessing scikit-learn applies before its k-NN MI estimators, reproduced so numbers agree.
///
/// 1. Divide by the standard deviation (population, ddof 0) **without centring**; a constant
///    variable is left unscaled (scikit-learn's `scale(with_mean=False)`).
/// 2. Add `1e-10 · max(1, mean|x|) · N(0, 1)` to every value (normals by Marsaglia's polar method). This breaks exact ties: post-ReLU
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

    /// Adds `scale · max(1, mean|x|) · N(0,1)` noise (scale 1e-10 unless told), drawn from `random`.
    public static func addNoise(_ values: UnsafeMutableBufferPointer<Double>, random: inout SeededRandom, scale: Double = noiseScale) {
        let n = values.count
        guard n > 0 else { return }
        var meanAbs = 0.0
        for v in values { meanAbs += abs(v) }
        meanAbs /= Double(n)
        let amplitude = scale * max(1, meanAbs)
        let normals = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        defer { normals.deallocate() }
        fillNormals(normals, random: &random)
        for i in 0..<n { values[i] += amplitude * normals[i] }
    }

    /// Both steps, as scikit-learn does for a continuous variable.
    public static func prepare(_ values: UnsafeMutableBufferPointer<Double>, random: inout SeededRandom) {
        scaleByStandardDeviation(values)
        addNoise(values, random: &random)
    }
}

extension TieBreaking {
    /// Fills `out` with standard normals from `random` by Marsaglia's polar method (pairs from
    /// one accepted point of the unit disc: no sine or cosine). The noise is drawn for every value
    /// of every feature, so this is on the hot path of pooled MI.
    static func fillNormals(_ out: UnsafeMutableBufferPointer<Double>, random: inout SeededRandom) {
        var i = 0
        let n = out.count
        while i < n {
            var u = 0.0, v = 0.0, s = 0.0
            repeat {
                u = 2 * random.nextUnit() - 1
                v = 2 * random.nextUnit() - 1
                s = u * u + v * v
            } while s >= 1 || s == 0
            let factor = (-2 * log(s) / s).squareRoot()
            out[i] = u * factor
            if i + 1 < n { out[i + 1] = v * factor }
            i += 2
        }
    }
}
