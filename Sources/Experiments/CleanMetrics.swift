import FeatureData
import Inference

/// Every task's metric on unquantised fit and eval features, as `inspect` shows it: from the
/// bundle's head where the task has one, otherwise from the evaluator (when one is given and
/// serves the split), otherwise unknown (`nil`).
public struct CleanMetrics: Sendable {
    /// In task order.
    public var fit: [Double?]
    public var eval: [Double?]

    /// `quantiser` may be nil only when no task has a head (nothing is then quantised here).
    public init(bundle: FeatureBundle, quantiser: Quantiser?, evaluator session: EvaluatorSession? = nil) throws {
        var withHeads = bundle
        withHeads.tasks = bundle.tasks.filter(\.hasHead)
        var own: [BundleSplit: [String: Double]] = [:]
        for split in BundleSplit.allCases {
            var metrics: [String: Double] = [:]
            if !withHeads.tasks.isEmpty {
                let scorer = HeadScoring.scorer(bundle: withHeads, split: split == .fit ? .fit : .eval, quantiser: quantiser!)
                for task in try scorer.scoreClean().tasks { metrics[task.name] = task.metric }
            }
            own[split] = metrics
        }
        func metric(_ task: TaskDescription, _ split: BundleSplit) -> Double? {
            if let value = own[split]![task.name] { return value }
            return session?.tasks.first { $0.name == task.name }?.clean[split == .fit ? .fit : .eval]
        }
        fit = bundle.tasks.map { metric($0, .fit) }
        eval = bundle.tasks.map { metric($0, .eval) }
    }
}
