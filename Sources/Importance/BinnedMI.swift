import Basics
import Foundation

/// Plug-in MI on equal-frequency bins with the Miller–Madow bias correction — a fast baseline.
///
///     I = Ĥ(B) + Ĥ(Y) − Ĥ(B, Y),   Ĥ = −Σ p̂ ln p̂ + (m − 1)/(2N)
///
/// where m is the number of non-empty cells of that (joint) histogram. Bins: the sample at
/// sorted position g goes to bin ⌊g·B/N⌋, except that equal values always share the bin of the
/// first of them (so a mass of exact zeros is one bin, never split at random).
public enum BinnedMI {
    public static let defaultBins = 10

    public static func estimate(_ x: [Double], labels: DiscreteLabels, bins: Int = defaultBins) throws -> MIEstimate {
        guard x.count == labels.count else { throw ImportanceError.shapeMismatch("\(x.count) values and \(labels.count) labels") }
        guard bins >= 1 else { throw ImportanceError.invalidArgument("\(ParameterError.mention("bins")) must be at least 1 (got \(bins))") }
        if let s = x.firstIndex(where: { !$0.isFinite }) { throw ImportanceError.nonFiniteValue(feature: 0, sample: s) }
        let bin = equalFrequencyBins(x, bins: bins)
        return MIEstimate(raw: plugInMillerMadow(bin, binCount: bins, labels: labels))
    }

    /// Every feature (row-major `[samples × features]`) against every target: `[target][feature]`.
    public static func estimate(values: [Double], samples: Int, features: Int, targets: [DiscreteLabels], bins: Int = defaultBins) throws -> [[MIEstimate]] {
        guard values.count == samples * features else {
            throw ImportanceError.shapeMismatch("\(values.count) values for \(samples) samples × \(features) features")
        }
        guard bins >= 1 else { throw ImportanceError.invalidArgument("\(ParameterError.mention("bins")) must be at least 1 (got \(bins))") }
        for (t, l) in targets.enumerated() where l.count != samples {
            throw ImportanceError.shapeMismatch("target \(t) has \(l.count) labels for \(samples) samples")
        }
        return try estimate(columns: (0..<features).map { f in (0..<samples).map { values[$0 * features + f] } }, targets: targets, bins: bins)
    }

    /// Feature-major input: `columns[feature][sample]`.
    public static func estimate(columns: [[Double]], targets: [DiscreteLabels], bins: Int = defaultBins) throws -> [[MIEstimate]] {
        let samples = columns.first?.count ?? 0
        guard bins >= 1 else { throw ImportanceError.invalidArgument("\(ParameterError.mention("bins")) must be at least 1 (got \(bins))") }
        for (t, l) in targets.enumerated() where l.count != samples {
            throw ImportanceError.shapeMismatch("target \(t) has \(l.count) labels for \(samples) samples")
        }
        for (f, column) in columns.enumerated() {
            guard column.count == samples else { throw ImportanceError.shapeMismatch("feature \(f) has \(column.count) samples, expected \(samples)") }
            if let s = column.firstIndex(where: { !$0.isFinite }) { throw ImportanceError.nonFiniteValue(feature: f, sample: s) }
        }
        let perFeature = ParallelFor.map(columns.count, initial: [Double]()) { f in
            let bin = equalFrequencyBins(columns[f], bins: bins)
            return targets.map { plugInMillerMadow(bin, binCount: bins, labels: $0) }
        }
        return targets.indices.map { t in perFeature.map { MIEstimate(raw: $0[t]) } }
    }

    static func equalFrequencyBins(_ x: [Double], bins: Int) -> [Int32] {
        let n = x.count
        let order = (0..<n).sorted { x[$0] < x[$1] || (x[$0] == x[$1] && $0 < $1) }
        var bin = [Int32](repeating: 0, count: n)
        var current: Int32 = 0
        for g in 0..<n {
            let i = order[g]
            if g > 0 && x[order[g - 1]] == x[i] {
                bin[i] = current
            } else {
                current = Int32(g * bins / n)
                bin[i] = current
            }
        }
        return bin
    }

    static func plugInMillerMadow(_ bin: [Int32], binCount: Int, labels: DiscreteLabels) -> Double {
        let n = bin.count
        guard n > 0 else { return 0 }
        let k = labels.classCount
        var joint = [Int](repeating: 0, count: binCount * k)
        var marginal = [Int](repeating: 0, count: binCount)
        for i in 0..<n {
            joint[Int(bin[i]) * k + Int(labels.ids[i])] += 1
            marginal[Int(bin[i])] += 1
        }
        func entropy(_ counts: [Int]) -> Double {
            var h = 0.0
            var cells = 0
            for c in counts where c > 0 {
                let p = Double(c) / Double(n)
                h -= p * log(p)
                cells += 1
            }
            return h + Double(cells - 1) / (2 * Double(n))
        }
        return entropy(marginal) + entropy(labels.counts) - entropy(joint)
    }
}
