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

/// One task of a bundle: its head (if the bundle carries one) and, per split, its ground truth and
/// the network's own outputs.
public struct TaskDescription: Sendable {
    public var name: String
    public var kind: TaskKind
    /// Number of classes (classification, segmentation); the channel count of the output for reconstruction.
    public var classes: Int
    /// Peak signal value for PSNR (reconstruction; default 1).
    public var peak: Double
    /// The head MIPareto runs to score the task; `nil` when only an evaluator can score it.
    public var head: HeadDescription?
    /// The name of the stream the head reads (`nil` without a head).
    public var input: String?
    /// The per-sample output: the head's (class logits `[K]`, logits `[K, H', W']`, the image), or
    /// for a task without a head the same shape read off its `outputs` array.
    public var outputShape: [Int]
    /// Labels or targets per split.
    public var truth: [BundleSplit: TaskTruth]
    /// The network's own outputs on clean features per split (predicted ids, or the reconstruction).
    public var outputs: [BundleSplit: TaskTruth]

    /// `outputShape` defaults to the head's output shape (a task without a head must give it).
    public init(name: String, kind: TaskKind, classes: Int, peak: Double, head: HeadDescription?, input: String? = nil, outputShape: [Int]? = nil,
                truth: [BundleSplit: TaskTruth], outputs: [BundleSplit: TaskTruth]) {
        precondition(outputShape != nil || head != nil, "a task without a head needs its output shape")
        self.name = name
        self.kind = kind
        self.classes = classes
        self.peak = peak
        self.head = head
        self.input = input
        self.outputShape = outputShape ?? head!.outputShape
        self.truth = truth
        self.outputs = outputs
    }
}

extension TaskDescription {
    /// Whether the bundle carries this task's head (else only an evaluator can score it).
    public var hasHead: Bool { head != nil }
}
