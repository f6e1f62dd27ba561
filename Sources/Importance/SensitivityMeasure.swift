import Basics
import FeatureData
import Inference

/// Measured sensitivity (`sensitivity`): for every channel `c` and depth `b`, how much each task's
/// metric drops on the fit split when only channel `c` is quantised to `b` bits and every other
/// channel stays clean. Summed over channels it is the additive model of mixed-precision
/// quantisation (HAWQ's integer program over measured per-layer sensitivities, Dong et al. 2019;
/// here per channel), which `ilp-sensitivity` minimises under the budget.
///
/// Loss of task `t`: `1 − metric/reference` (unclipped, as the hypervolume's objectives without
/// the clip), the reference being the metric of the all-clean probe. "Clean" is 16 bits, the
/// quantiser's finest depth, not float32: then every probe, the reference included, is an
/// allocation the incremental scorer takes, and the `C · (B + 1) + 1` probes share their
/// first-layer terms (each channel's clean term is computed once per batch, each probed term
/// once) instead of running the first layer `C · (B + 1)` times. At 16 bits a channel's step is
/// 1/65535 of its fit range, far below what changes a metric.
public struct SensitivityTable: Sendable, Equatable {
    public let taskNames: [String]
    public let maxBits: Int
    /// `losses[t][c][b]`: task `t`'s loss with channel `c` alone at `b` bits (b = 0: dropped).
    public let losses: [[[Double]]]
    /// The reference metric per task (every channel at `cleanBits`).
    public let reference: [Double]

    public static let cleanBits = Quantiser.maximumBits
    /// Probes scored per batch: as large as an NSGA-II generation, so a batch's memory stays that
    /// of one generation.
    static let batchSize = 64

    public init(taskNames: [String], maxBits: Int, losses: [[[Double]]], reference: [Double]) {
        self.taskNames = taskNames
        self.maxBits = maxBits
        self.losses = losses
        self.reference = reference
    }

    /// Measures the table on the fit split with the bundle's heads (`maxBits` 0: only the drops).
    public static func measure(bundle: FeatureBundle, maxBits: Int, quantiser: Quantiser? = nil) throws -> SensitivityTable {
        // 0: the drop probes only (what the importance scores need).
        if maxBits != 0 { try Quantiser.checkMaxBits(maxBits) }
        if let task = bundle.tasks.first(where: { !$0.hasHead }) {
            throw ImportanceError.invalidArgument("sensitivity runs the bundle's heads; task \(task.name) has none")
        }
        let quantiser = quantiser ?? Quantiser(fitOf: bundle)
        // Several streams: each head scored on its own stream's slice of every probe.
        let scorer: any SensitivityProbeScoring = bundle.isMultiStream
            ? StreamScoring(bundle: bundle, split: .fit, quantiser: quantiser, incremental: true)
            : IncrementalScorer(bundle: bundle, split: .fit, quantiser: quantiser)
        return try measure(scorer: scorer, channels: bundle.channels, maxBits: maxBits)
    }

    /// The table from any scorer of bit allocations (`channels` depths each).
    public static func measure(scorer: any SensitivityProbeScoring, channels: Int, maxBits: Int) throws -> SensitivityTable {
        let clean = [Int](repeating: cleanBits, count: channels)
        var probes: [[Int]] = [clean]
        for c in 0..<channels {
            for b in 0...maxBits {
                var bits = clean
                bits[c] = b
                probes.append(bits)
            }
        }
        var metrics: [[Double]] = []
        for start in stride(from: 0, to: probes.count, by: batchSize) {
            metrics += try scorer.metrics(Array(probes[start..<Swift.min(probes.count, start + batchSize)]))
        }
        let reference = metrics[0]
        let tasks = reference.count
        let losses = (0..<tasks).map { t in
            (0..<channels).map { c in
                (0...maxBits).map { b in loss(metric: metrics[1 + c * (maxBits + 1) + b][t], reference: reference[t]) }
            }
        }
        return SensitivityTable(taskNames: scorer.taskNames, maxBits: maxBits, losses: losses, reference: reference)
    }

    static func loss(metric: Double, reference: Double) -> Double {
        guard reference != 0 else { return metric >= reference ? 0 : 1 }
        let value = 1 - metric / reference
        return value.isFinite ? value : 1
    }

    /// The importance scores: each channel's loss when it is dropped (0 bits), per task.
    public var scores: ImportanceScores {
        ImportanceScores(measure: .sensitivity, estimator: nil, taskNames: taskNames,
                         scores: losses.map { task in task.map { $0[0] } })
    }

    /// `costs[c][b] = Σ_t w_t · max(0, losses[t][c][b])` for task weights `weights` (normalised
    /// here): the objective of `ilp-sensitivity`. A negative loss (quantisation noise that happened
    /// to help on the fit split) counts as no loss, so no depth is preferred for its noise.
    public func costs(weights: [Double]) -> [[Double]] {
        precondition(weights.count == taskNames.count, "one weight per task")
        let total = weights.reduce(0, +)
        let w = weights.map { total > 0 ? $0 / total : 1 / Double(weights.count) }
        let channels = losses.first?.count ?? 0
        return (0..<channels).map { c in
            (0...maxBits).map { b in
                var sum = 0.0
                for t in taskNames.indices { sum += w[t] * Swift.max(0, losses[t][c][b]) }
                return sum
            }
        }
    }
}

/// A scorer whose answers are plain metrics.
public protocol SensitivityProbeScoring {
    var taskNames: [String] { get }
    /// One row of task metrics per allocation.
    func metrics(_ batch: [[Int]]) throws -> [[Double]]
}

extension StreamScoring: SensitivityProbeScoring {
    public func metrics(_ batch: [[Int]]) throws -> [[Double]] { try score(batch: batch).map { $0.tasks.map(\.metric) } }
}

extension IncrementalScorer: SensitivityProbeScoring {
    public func metrics(_ batch: [[Int]]) -> [[Double]] { score(batch: batch).map { $0.tasks.map(\.metric) } }
}
