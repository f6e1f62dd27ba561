/// What a task predicts, and so how it is scored (docs/format.md, TASK).
public enum TaskKind: String, Sendable, CaseIterable {
    case classification, segmentation, reconstruction

    /// The primary metric's name: `accuracy`, `miou` or `psnr`.
    public var metricName: String {
        switch self {
        case .classification: return "accuracy"
        case .segmentation: return "miou"
        case .reconstruction: return "psnr"
        }
    }
}

/// The ground truth of one split of a task.
public enum TaskTruth: Sendable {
    /// Class ids: `[N]` for classification, `[N, H', W']` for segmentation (`-1` = ignore).
    case labels(Tensor<Int64>)
    /// Reconstruction targets, `[N, K, H', W']` (or any per-sample shape the head produces).
    case targets(Tensor<Float>)

    public var samples: Int {
        switch self {
        case .labels(let t): return t.samples
        case .targets(let t): return t.samples
        }
    }

    /// The samples at `indices`.
    public func selectingSamples(_ indices: [Int]) -> TaskTruth {
        switch self {
        case .labels(let t): return .labels(t.selectingSamples(indices))
        case .targets(let t): return .targets(t.selectingSamples(indices))
        }
    }
}

/// One task of a bundle: its head and, per split, its ground truth and the network's own outputs.
public struct TaskDescription: Sendable {
    public var name: String
    public var kind: TaskKind
    /// Number of classes (classification, segmentation); the channel count of the output for reconstruction.
    public var classes: Int
    /// Peak signal value for PSNR (reconstruction; default 1).
    public var peak: Double
    public var head: HeadDescription
    /// Labels or targets per split.
    public var truth: [BundleSplit: TaskTruth]
    /// The network's own outputs on clean features per split (predicted ids, or the reconstruction).
    public var outputs: [BundleSplit: TaskTruth]
}

extension TaskDescription {
    /// Whether the bundle carries this task's head (else only an evaluator can score it).
    public var hasHead: Bool { true }
}
