import Basics
import FeatureData

/// Computes any `ImportanceMeasure` on a bundle: the one entry point `importance`, `select`,
/// `allocate` and `front` share. Everything is measured on the fit split.
///
/// A bundle of several streams is scored channel by channel in global order: every per-channel
/// quantity (statistics, reductions, noise streams) is that of the channel in one tensor of all
/// channels, so splitting a tensor into streams of the same H·W changes no number. The patch
/// estimator runs stream by stream, each on its own patch grid against the same task outputs.
public enum ImportanceCalculator {
    public static func scores(bundle: FeatureBundle, options: ImportanceOptions) throws -> ImportanceScores {
        let taskNames = bundle.tasks.map(\.name)
        switch options.measure {
        case .equal, .l1, .l2, .variance, .random:
            let row = ChannelStatisticMeasures.scores(options.measure, bundle: bundle, seed: options.seed)
            return ImportanceScores(measure: options.measure, estimator: nil, taskNames: taskNames,
                                    scores: [[Double]](repeating: row, count: taskNames.count))
        case .entropy:
            // docs/format.md's quantiser at 8 bits on every channel; a constant channel has one symbol (0 bits).
            let row = Quantiser(fitOf: bundle).channelEntropies(bits: [Int](repeating: 8, count: bundle.channels), bundle: bundle, split: .fit)
            return ImportanceScores(measure: .entropy, estimator: nil, taskNames: taskNames,
                                    scores: [[Double]](repeating: row, count: taskNames.count))
        case .mi:
            var scores = try mutualInformation(bundle: bundle, options: options)
            // A constant channel carries no information: exactly 0, whatever the estimator's noise says.
            let stats = ChannelStats(of: bundle, split: .fit)
            for c in 0..<bundle.channels where stats.hi[c] == stats.lo[c] {
                for t in scores.indices { scores[t][c] = 0 }
            }
            return ImportanceScores(measure: .mi, estimator: options.estimator, taskNames: taskNames, scores: scores)
        case .taylor:
            let scores = try TaylorImportance.scores(bundle: bundle, target: options.target)
            return ImportanceScores(measure: .taylor, estimator: nil, taskNames: taskNames, scores: scores)
        case .miJMI:
            let scores = try JointMutualInformation.scores(bundle: bundle, options: options)
            return ImportanceScores(measure: .miJMI, estimator: nil, taskNames: taskNames, scores: scores)
        case .sensitivity:
            return try SensitivityTable.measure(bundle: bundle, maxBits: 0).scores
        }
    }

    /// `scores[task][channel]` in nats (clipped at 0).
    static func mutualInformation(bundle: FeatureBundle, options: ImportanceOptions) throws -> [[Double]] {
        guard options.neighbours >= 1 else { throw ImportanceError.invalidNeighbours(options.neighbours) }
        guard options.clusters >= 1 else { throw ImportanceError.invalidArgument("\(ParameterError.mention("clusters")) must be at least 1 (got \(options.clusters))") }
        let n = bundle.samples(.fit)
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
            let columns = reducedChannels(bundle: bundle, reduce: options.reduce)
            let targets = try bundle.tasks.enumerated().map { t, task in
                try TaskTargets.perSample(task, target: options.target, clusters: options.clusters, seed: options.seed &+ UInt64(t))
            }
            // Binned MI takes a fraction of a second at any size: only the k-NN estimator shows progress.
            let progress = options.estimator == .pooled ? ProgressLine("pooled MI") : nil
            defer { progress?.finish() }
            let estimates = options.estimator == .pooled
                ? try PooledMI.estimate(columns: columns, targets: targets, neighbours: options.neighbours, seed: options.seed, progress: progress)
                : try BinnedMI.estimate(columns: columns, targets: targets, bins: options.bins)
            return estimates.map { $0.map(\.nats) }
        case .patch:
            // Stream by stream: each has its own H·W, so its own grid (and the dense targets
            // clustered on that grid); the rows are joined in global channel order.
            var rows = [[Double]](repeating: [], count: bundle.tasks.count)
            for stream in bundle.streams {
                let shape = stream.sampleShape
                let (h, w) = shape.count == 3 ? (shape[1], shape[2]) : (1, 1)
                let patch = options.patch ?? PatchSize.defaultSize(mapHeight: h, mapWidth: w)
                let grid = try PatchGrid(mapHeight: h, mapWidth: w, patch: patch)
                let targets = try bundle.tasks.enumerated().map { t, task in
                    try TaskTargets.perPatch(task, target: options.target, grid: grid, clusters: options.clusters, seed: options.seed &+ UInt64(t))
                }
                let progress = ProgressLine("patch MI" + (bundle.isMultiStream ? " (\(stream.name))" : ""))
                defer { progress.finish() }
                // Channel blocks straight from the (mapped) file: no whole float32 copy.
                let source = stream.sources[.fit]!
                let estimates = try PatchMI.estimate(samples: n, channels: stream.channels, height: h, width: w, patch: patch, targets: targets,
                                                     neighbours: options.neighbours, seed: options.seed, firstChannel: stream.firstChannel,
                                                     progress: progress) { range in try source.block(channels: range, samples: nil).values }
                for t in rows.indices { rows[t] += estimates[t].map(\.nats) }
            }
            return rows
        }
    }

    /// Every channel reduced to one number per sample: one column of N values per channel, over
    /// all streams in global channel order.
    static func reducedChannels(bundle: FeatureBundle, reduce: ChannelReduction) -> [[Double]] {
        bundle.mapChannelBlocks(of: .fit, progress: "channel reduction") { _, _, block in reduce.reduceColumns(block) }.flatMap { $0 }
    }
}
