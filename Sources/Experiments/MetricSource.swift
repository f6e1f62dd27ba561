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
        switch self {
        case .heads:
            try Self.requireHeads(bundle)
            return HeadScoring.scorer(bundle: bundle, split: split, quantiser: quantiser, incremental: search)
        case let .evaluator(session, batchSize, inflight):
            return try EvaluatorScoring(session: session, bundle: bundle, split: split, batchSize: search ? nil : batchSize, inflight: inflight)
        }
    }

    /// Fails, naming the task, unless every task of `bundle` has a head.
    public static func requireHeads(_ bundle: FeatureBundle) throws {
        if let task = bundle.tasks.first(where: { !$0.hasHead }) {
            throw ParameterError("evaluator", "task \(task.name) has no head in bundle \(bundle.name): its metric can only come from your own network; give \(ParameterError.mention("evaluator")) 'CMD ARGS…' (docs/evaluator.md)")
        }
    }
}
