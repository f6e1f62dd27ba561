import Basics
import FeatureData
import Inference

/// Where an experiment's task metrics come from: the bundle's own heads run here, or the
/// user's own network in an external evaluator (docs/evaluator.md).
///
/// Every experiment asks its source for one scorer per split, so the same run works whatever
/// scores it.
public enum MetricSource {
    /// The bundle's heads (`Scorer`; `IncrementalScorer` where a search scores many close
    /// allocations in batches).
    case heads
    /// An evaluator process: report-like lists go out in requests of `batchSize` allocations,
    /// up to `inflight` at once; a search generation is one request.
    case evaluator(EvaluatorSession, batchSize: Int = 64, inflight: Int = 1)

    /// `heads` or `evaluator`, as a checkpoint records it (the command line of an evaluator is
    /// not part of a run's identity: a resumed run may start it with other arguments).
    public var kind: String {
        switch self {
        case .heads: return "heads"
        case .evaluator: return "evaluator"
        }
    }

    /// A scorer of `split`. `search` asks for the scorer NSGA-II's generations go to.
    public func scoring(bundle: FeatureBundle, split: Split, quantiser: Quantiser, forSearch search: Bool = false) throws -> any AllocationScoring {
        try Self.requireSamples(bundle, split)
        switch self {
        case .heads:
            try Self.requireHeads(bundle)
            return HeadScoring.scorer(bundle: bundle, split: split, quantiser: quantiser, incremental: search)
        case let .evaluator(session, batchSize, inflight):
            return try EvaluatorScoring(session: session, bundle: bundle, split: split, batchSize: search ? nil : batchSize, inflight: inflight)
        }
    }

    /// Fails unless `split` holds a sample: a metric over no samples is NaN, never a result.
    public static func requireSamples(_ bundle: FeatureBundle, _ split: Split) throws {
        let source = bundle.samples(split.source)
        guard split.sampleIndices(sourceCount: source).isEmpty else { return }
        let which = split == .search ? "the even-numbered" : split == .report ? "the odd-numbered" : "all"
        throw FeatureDataError(file: bundle.directory, "split \(split.rawValue): no samples (it takes \(which) samples of the \(split.source.rawValue) split, which holds \(source)); a bundle needs at least 2 eval samples for search and report")
    }

    /// Fails, naming the task, unless every metric of `evaluations` is finite: a NaN or ±inf
    /// (head outputs that overflow float32, a PSNR peak out of range) would otherwise be printed,
    /// or make a hypervolume of NaN points look like a result. `what` says which scores they are.
    public static func requireFinite(_ evaluations: [Evaluation], bundle: FeatureBundle, what: String) throws {
        for evaluation in evaluations {
            for task in evaluation.tasks where !task.metric.isFinite {
                throw FeatureDataError(file: bundle.directory, "task \(task.name): its \(task.metricName) on the \(evaluation.split.rawValue) split is \(task.metric) (\(what)); the features or the head's outputs overflow, or the task's numbers are out of range")
            }
        }
    }

    /// Fails, naming the task, unless every task of `bundle` has a head.
    public static func requireHeads(_ bundle: FeatureBundle) throws {
        if let task = bundle.tasks.first(where: { !$0.hasHead }) {
            throw ParameterError("evaluator", "task \(task.name) has no head in bundle \(bundle.name): its metric can only come from your own network; give \(ParameterError.mention("evaluator")) 'CMD ARGS…' (docs/evaluator.md)")
        }
    }
}
