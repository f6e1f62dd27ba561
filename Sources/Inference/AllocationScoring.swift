import FeatureData

/// Scores bit allocations on one split: every task's primary metric, and from the bundle's own
/// heads the parts it is made of.
///
/// Everything above `Inference` that needs task metrics (fronts, NSGA-II, hard selection, the
/// task-weight analysis) goes through this one interface, so it does not matter whether the
/// metrics come from the bundle's heads run here (`Scorer`, `IncrementalScorer`) or from the
/// user's own network in another process (`EvaluatorScoring`). Metrics are a pure function of
/// (split, allocation), so implementations and callers may cache them.
public protocol AllocationScoring: AnyObject {
    var split: Split { get }
    var taskNames: [String] { get }
    /// Samples in the split.
    var samples: Int { get }
    /// Every task's metric on the unquantised features of the split.
    func scoreClean() throws -> Evaluation
    /// One evaluation per allocation (one depth 0…max bits per global channel), in order.
    func score(batch: [[Int]]) throws -> [Evaluation]
    /// As `score(batch:)`, where a `nil` depth keeps a channel unquantised (hard selection). Only
    /// scorers that hold the features can do that; the default refuses `nil`.
    func score(depthBatch: [[Int?]]) throws -> [Evaluation]
}

extension AllocationScoring {
    public func score(depthBatch: [[Int?]]) throws -> [Evaluation] {
        var batch: [[Int]] = []
        batch.reserveCapacity(depthBatch.count)
        for depths in depthBatch {
            guard !depths.contains(nil) else { throw ScoringError.unquantisedChannels }
            batch.append(depths.map { $0! })
        }
        return try score(batch: batch)
    }
}

/// Why a scorer could not score a request.
public enum ScoringError: Error, CustomStringConvertible, Sendable {
    /// Unquantised channels asked of a scorer that only takes bit depths.
    case unquantisedChannels

    public var description: String {
        switch self {
        case .unquantisedChannels:
            return "this scorer takes bit depths only; unquantised channels cannot be scored (give the kept channels a depth)"
        }
    }
}

extension Scorer: AllocationScoring {
    public func score(batch: [[Int]]) -> [Evaluation] { batch.map { score(bits: $0) } }
    public func score(depthBatch: [[Int?]]) -> [Evaluation] { depthBatch.map { score(depths: $0) } }
}

extension IncrementalScorer: AllocationScoring {
    public func scoreClean() -> Evaluation { scorer.scoreClean() }
}
