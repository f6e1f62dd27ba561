import FeatureData

/// A task's output (or labels/targets) on the fit split, turned into what the MI estimators
/// compare channels against: discrete symbols per sample (pooled, binned) or per patch position
/// (patch).
///
/// Classification: the class ids themselves. Dense tasks are clustered with k-means: a
/// reconstruction as its float values, a segmentation map one-hot per pixel (class ids are
/// names, not magnitudes: one-hot makes the squared distance count the pixels that differ;
/// an ignored pixel, label −1, is all zeros).
enum TaskTargets {
    /// The fit-split array of `task` for `target`.
    static func source(_ task: TaskDescription, target: ImportanceTarget) -> TaskTruth {
        target == .outputs ? task.outputs[.fit]! : task.truth[.fit]!
    }

    /// Whether the task's target is clustered (dense) rather than used as is.
    static func isDense(_ task: TaskDescription) -> Bool { task.kind != .classification }

    /// One symbol per sample: class ids, or each sample's whole dense map clustered.
    static func perSample(_ task: TaskDescription, target: ImportanceTarget, clusters: Int, seed: UInt64) throws -> DiscreteLabels {
        switch source(task, target: target) {
        case .labels(let t) where task.kind == .classification:
            return DiscreteLabels(t.values)
        case let truth:
            let (values, _) = denseValues(truth, classes: task.classes)
            return try OutputClustering.wholeOutputs(values, samples: truth.samples, clusters: clusters, seed: seed)
        }
    }

    /// For the patch estimator: the class per sample, or the aligned output patches clustered per
    /// position of `grid`.
    static func perPatch(_ task: TaskDescription, target: ImportanceTarget, grid: PatchGrid, clusters: Int, seed: UInt64) throws -> PatchTarget {
        let truth = source(task, target: target)
        if task.kind == .classification, case .labels(let t) = truth { return .perSample(DiscreteLabels(t.values)) }
        let (values, shape) = denseValues(truth, classes: task.classes)
        guard shape.count == 3 else {
            // A dense task whose output is not a map (e.g. a vector reconstruction): one cluster
            // id per sample, the same at every position.
            return .perSample(try OutputClustering.wholeOutputs(values, samples: truth.samples, clusters: clusters, seed: seed))
        }
        let symbols = try OutputClustering.alignedPatches(values, samples: truth.samples, outputChannels: shape[0], outputHeight: shape[1], outputWidth: shape[2],
                                                          grid: grid, clusters: clusters, seed: seed)
        return .perPosition(symbols)
    }

    /// Dense values `[N, …]` as float32 and the per-sample shape: reconstructions as they are,
    /// segmentation maps `[N, H', W']` one-hot to `[N, K, H', W']`.
    static func denseValues(_ truth: TaskTruth, classes: Int) -> ([Float], [Int]) {
        switch truth {
        case .targets(let t):
            return (t.values, t.sampleShape)
        case .labels(let t):
            let n = t.samples, pixels = t.sampleSize
            var out = [Float](repeating: 0, count: n * classes * pixels)
            for s in 0..<n {
                for p in 0..<pixels {
                    let label = Int(t.values[s * pixels + p])
                    if label >= 0 && label < classes { out[(s * classes + label) * pixels + p] = 1 }
                }
            }
            return (out, [classes] + t.sampleShape)
        }
    }
}
