import FeatureData

/// What `mipareto importance --measure M` computes: a score per task per channel, higher = more
/// important. The one entry point that `importance`, `select`, `allocate` and `front` share.
public enum ImportanceMeasure: String, CaseIterable, Sendable {
    /// Mutual information between the channel and the task's output (estimator: `MIEstimatorKind`).
    case mi
    /// Mean |x| over the fit split.
    case l1
    /// Root mean square over the fit split.
    case l2
    /// Population variance over the fit split.
    case variance
    /// Entropy (bits) of the channel quantised to 8 bits.
    case entropy
    /// Seeded uniform scores: the baseline any measure must beat.
    case random
    /// First-order Taylor importance |Σ x · ∂loss/∂x| through the task's head.
    case taylor
    /// Every channel equally important.
    case equal
    /// Measured loss of each task's metric on the fit split when the channel alone is dropped
    /// (the rest clean); `ilp-sensitivity` uses the loss at every depth (`SensitivityTable`).
    case sensitivity
    /// Greedy joint mutual information (redundancy-aware MI ranking, `JointMutualInformation`).
    case miJMI = "mi-jmi"

    /// Whether the score differs between tasks (the others rank channels the same for every task).
    public var dependsOnTask: Bool { self == .mi || self == .taylor || self == .sensitivity || self == .miJMI }
}

/// The mutual-information estimators of `--estimator`.
public enum MIEstimatorKind: String, CaseIterable, Sendable {
    /// Each channel reduced to one number per sample, k-NN MI against the task output (Ross / KSG).
    case pooled
    /// Patch vectors against the (clustered) aligned task output, averaged over positions (the paper's).
    case patch
    /// Plug-in MI on equal-frequency bins with the Miller–Madow correction.
    case binned
}

/// How `pooled` reduces a channel's H×W map to one number per sample.
public enum ChannelReduction: String, CaseIterable, Sendable { case mean, max, rms }

/// What MI and Taylor importance are measured against.
public enum ImportanceTarget: String, CaseIterable, Sendable {
    /// The network's own outputs on clean features (the paper's choice; the default).
    case outputs
    /// The ground-truth labels / targets.
    case labels
}

/// Every option of the importance measures, with the defaults of the command line.
public struct ImportanceOptions: Sendable {
    public var measure: ImportanceMeasure
    public var estimator: MIEstimatorKind = .pooled
    public var target: ImportanceTarget = .outputs
    public var seed: UInt64 = 0
    public var neighbours: Int = 3
    public var reduce: ChannelReduction = .mean
    /// Patch size for the patch estimator; nil = the default of `PatchSize.defaultSize`.
    public var patch: PatchSize? = nil
    /// k-means clusters for dense task outputs.
    public var clusters: Int = OutputClustering.defaultClusters
    public var bins: Int = BinnedMI.defaultBins

    public init(measure: ImportanceMeasure) { self.measure = measure }
}

/// Scores of one measure: `scores[t][c]` for task `taskNames[t]` and channel `c`.
public struct ImportanceScores: Sendable, Equatable {
    public var measure: ImportanceMeasure
    /// The MI estimator, for `mi` only.
    public var estimator: MIEstimatorKind?
    public var taskNames: [String]
    public var scores: [[Double]]

    public init(measure: ImportanceMeasure, estimator: MIEstimatorKind?, taskNames: [String], scores: [[Double]]) {
        self.measure = measure
        self.estimator = estimator
        self.taskNames = taskNames
        self.scores = scores
    }

    /// Per-task scores normalised to sum 1 (negative estimates clipped to 0; uniform when all are
    /// 0), combined with task weights that are normalised to sum 1. The ranking `select` uses for
    /// "all tasks", and the ŝ of the allocation model (docs/allocation.md).
    public func combined(weights: [Double]) -> [Double] {
        precondition(weights.count == scores.count, "one weight per task")
        let channels = scores.first?.count ?? 0
        let totalWeight = weights.reduce(0, +)
        var combined = [Double](repeating: 0, count: channels)
        for (t, row) in scores.enumerated() {
            let w = totalWeight > 0 ? weights[t] / totalWeight : 1 / Double(scores.count)
            let normalised = ImportanceScores.normalised(row)
            for c in 0..<channels { combined[c] += w * normalised[c] }
        }
        return combined
    }

    /// Scores clipped at 0 and scaled to sum 1; uniform when every score is 0.
    public static func normalised(_ row: [Double]) -> [Double] {
        let clipped = row.map { $0.isFinite ? max(0, $0) : 0 }
        let sum = clipped.reduce(0, +)
        guard sum > 0 else { return [Double](repeating: 1 / Double(max(1, row.count)), count: row.count) }
        return clipped.map { $0 / sum }
    }
}
