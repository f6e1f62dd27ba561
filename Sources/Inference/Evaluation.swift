import FeatureData

/// One task's score on a split: its primary metric and the parts it is made of.
public struct TaskScore: Sendable {
    public var name: String
    public var kind: TaskKind
    /// `accuracy`, `miou` or `psnr`.
    public var metricName: String { kind.metricName }
    /// The primary metric (higher is better).
    public var metric: Double
    /// Secondary numbers, camelCase keys in a stable order (e.g. `correct`, `n`, `pixelAccuracy`,
    /// `mse`, `agreement` with the network's own outputs).
    public var details: [(key: String, value: Double)]

    public init(name: String, kind: TaskKind, metric: Double, details: [(key: String, value: Double)]) {
        self.name = name
        self.kind = kind
        self.metric = metric
        self.details = details
    }

    public func detail(_ key: String) -> Double? { details.first { $0.key == key }?.value }
}

/// Every task's score for one allocation (or clean features) on one split.
public struct Evaluation: Sendable {
    public var split: Split
    public var samples: Int
    public var tasks: [TaskScore]
    /// The mean size of a real coded bitstream per sample, when an evaluator measures it.
    public var codedBitsPerSample: Double? = nil

    public init(split: Split, samples: Int, tasks: [TaskScore], codedBitsPerSample: Double? = nil) {
        self.split = split
        self.samples = samples
        self.tasks = tasks
        self.codedBitsPerSample = codedBitsPerSample
    }

    public subscript(task name: String) -> TaskScore? { tasks.first { $0.name == name } }
}
