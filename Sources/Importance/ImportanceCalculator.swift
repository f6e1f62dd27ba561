import Basics
import FeatureData

/// Computes any `ImportanceMeasure` on a bundle: the one entry point `importance`, `select`,
/// `allocate` and `front` share. Everything is measured on the fit split.
public enum ImportanceCalculator {
    public static func scores(bundle: FeatureBundle, options: ImportanceOptions) throws -> ImportanceScores {
        let taskNames = bundle.tasks.map(\.name)
        let fit = bundle.features(for: .fit)
        switch options.measure {
        case .equal, .l1, .l2, .variance, .random:
            let row = ChannelStatisticMeasures.scores(options.measure, features: fit, seed: options.seed)
            return ImportanceScores(measure: options.measure, estimator: nil, taskNames: taskNames,
                                    scores: [[Double]](repeating: row, count: taskNames.count))
        case .entropy:
            // docs/format.md's quantiser at 8 bits on every channel; a constant channel has one symbol (0 bits).
            let plan = Quantiser(fitOf: bundle).plan(bits: [Int](repeating: 8, count: bundle.channels))
            let row = plan.channelEntropies(fit)
            return ImportanceScores(measure: .entropy, estimator: nil, taskNames: taskNames,
                                    scores: [[Double]](repeating: row, count: taskNames.count))
        case .mi:
            var scores = try mutualInformation(bundle: bundle, features: fit, options: options)
            // A constant channel carries no information: exactly 0, whatever the estimator's noise says.
            let stats = ChannelStats(features: fit)
            for c in 0..<bundle.channels where stats.hi[c] == stats.lo[c] {
                for t in scores.indices { scores[t][c] = 0 }
            }
            return ImportanceScores(measure: .mi, estimator: options.estimator, taskNames: taskNames, scores: scores)
        case .taylor:
            let scores = try TaylorImportance.scores(bundle: bundle, target: options.target)
            return ImportanceScores(measure: .taylor, estimator: nil, taskNames: taskNames, scores: scores)
        case .miJMI:
            let scores = try JointMutualInformation.scores(bundle: bundle, features: fit, options: options)
            return ImportanceScores(measure: .miJMI, estimator: nil, taskNames: taskNames, scores: scores)
        case .sensitivity:
            return try SensitivityTable.measure(bundle: bundle, maxBits: 0).scores
        }
    }

    /// `scores[task][channel]` in nats (clipped at 0).
    static func mutualInformation(bundle: FeatureBundle, features: Tensor<Float>, options: ImportanceOptions) throws -> [[Double]] {
        guard options.neighbours >= 1 else { throw ImportanceError.invalidNeighbours(options.neighbours) }
        guard options.clusters >= 1 else { throw ImportanceError.invalidArgument("\(ParameterError.mention("clusters")) must be at least 1 (got \(options.clusters))") }
        let n = features.samples, c = bundle.channels
        // User-given classes must each hold more than k samples (k-means clusters are ours: the
        // estimator shrinks k in a small cluster, as scikit-learn does).
        for task in bundle.tasks where task.kind == .classification {
            if case .labels(let t) = TaskTargets.source(task, target: options.target) {
                do { try DiscreteLabels(t.values).validate(neighbours: options.neighbours) } catch let error as ImportanceError {
                    throw ImportanceError.invalidArgument("task \"\(task.name)\" (\(options.target == .outputs ? "outputs" : "labels")): \(error.template)")
                }
            }
        }
        switch options.estimator {
        case .pooled, .binned:
            let values = options.reduce.reduce(features)
            let targets = try bundle.tasks.enumerated().map { t, task in
                try TaskTargets.perSample(task, target: options.target, clusters: options.clusters, seed: options.seed &+ UInt64(t))
            }
            let estimates = options.estimator == .pooled
                ? try PooledMI.estimate(values: values, samples: n, features: c, targets: targets, neighbours: options.neighbours, seed: options.seed)
                : try BinnedMI.estimate(values: values, samples: n, features: c, targets: targets, bins: options.bins)
            return estimates.map { $0.map(\.nats) }
        case .patch:
            let shape = bundle.channelShape
            let (h, w) = shape.count == 3 ? (shape[1], shape[2]) : (1, 1)
            let patch = options.patch ?? PatchSize.defaultSize(mapHeight: h, mapWidth: w)
            let grid = try PatchGrid(mapHeight: h, mapWidth: w, patch: patch)
            let targets = try bundle.tasks.enumerated().map { t, task in
                try TaskTargets.perPatch(task, target: options.target, grid: grid, clusters: options.clusters, seed: options.seed &+ UInt64(t))
            }
            let estimates = try PatchMI.estimate(features: features.values, samples: n, channels: c, height: h, width: w,
                                                 patch: patch, targets: targets, neighbours: options.neighbours, seed: options.seed)
            return estimates.map { $0.map(\.nats) }
        }
    }
}
