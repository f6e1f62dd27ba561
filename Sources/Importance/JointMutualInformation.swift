import Basics
import FeatureData
import Foundation

/// `mi-jmi`: a redundancy-aware MI ranking, greedy joint mutual information (Yang & Moody 1999;
/// the criterion Brown et al., JMLR 13, 2012, recommend among the information-theoretic selectors):
/// start with the channel of largest `I(X_k; Y)`, then repeatedly add the channel `k` that
/// maximises `Σ_{j ∈ S} I(X_k, X_j; Y)` over the channels `S` chosen so far. A channel that
/// repeats one already chosen adds little joint information and waits; plain MI ranks both high.
///
/// Estimator: each channel reduced to one number per sample (`--reduce`, mean by default), cut
/// into equal-frequency bins (`BinnedMI`'s rule), pairs as the product of their bins, plug-in MI
/// with the Miller–Madow correction. Targets as for `mi` (the task's outputs or labels; dense
/// outputs clustered). The ranking is per task; the score of the channel chosen at position `p`
/// (from 0) is `(C − p) / C`, so scores order channels as the greedy order does and combine over
/// tasks as a Borda count.
enum JointMutualInformation {
    static func scores(bundle: FeatureBundle, options: ImportanceOptions) throws -> [[Double]] {
        let c = bundle.channels
        let bins = options.bins
        guard bins >= 2 else { throw ImportanceError.invalidArgument("\(ParameterError.mention("bins")) must be at least 2 (got \(bins))") }
        // Every stream's channels, reduced, in global channel order.
        let binned = ImportanceCalculator.reducedChannels(bundle: bundle, reduce: options.reduce).map { BinnedMI.equalFrequencyBins($0, bins: bins) }
        return try bundle.tasks.enumerated().map { t, task in
            let labels = try TaskTargets.perSample(task, target: options.target, clusters: options.clusters, seed: options.seed &+ UInt64(t))
            let order = greedyOrder(binned: binned, bins: bins, labels: labels)
            var row = [Double](repeating: 0, count: c)
            for (position, channel) in order.enumerated() { row[channel] = Double(c - position) / Double(c) }
            return row
        }
    }

    /// The JMI order of the channels (ties: the lower channel first).
    static func greedyOrder(binned: [[Int32]], bins: Int, labels: DiscreteLabels) -> [Int] {
        let c = binned.count
        guard c > 0 else { return [] }
        let n = binned[0].count
        let relevance = binned.map { BinnedMI.plugInMillerMadow($0, binCount: bins, labels: labels) }
        var chosen = [argmax(relevance, among: Array(0..<c))]
        var remaining = Set(0..<c).subtracting(chosen)
        var joint = [Double](repeating: 0, count: c)
        var pair = [Int32](repeating: 0, count: n)
        while !remaining.isEmpty {
            let last = chosen[chosen.count - 1]
            for k in remaining {
                for i in 0..<n { pair[i] = binned[k][i] * Int32(bins) + binned[last][i] }
                joint[k] += BinnedMI.plugInMillerMadow(pair, binCount: bins * bins, labels: labels)
            }
            let next = argmax(joint, among: remaining.sorted())
            chosen.append(next)
            remaining.remove(next)
        }
        return chosen
    }

    private static func argmax(_ values: [Double], among candidates: [Int]) -> Int {
        var best = candidates[0]
        for k in candidates.dropFirst() where values[k] > values[best] { best = k }
        return best
    }
}
