import FeatureData
import Inference

/// Scores allocations on one split through any `AllocationScoring`, each distinct allocation
/// once: many methods of a front give the same allocations, and a resumed run must not ask an
/// evaluator again for what it already answered.
public final class ScoreCache {
    public let scoring: any AllocationScoring
    private var known: [[Int]: Evaluation] = [:]
    /// Called with every batch of newly scored allocations (a checkpoint saves them).
    public var onScored: (([[Int]], [Evaluation]) throws -> Void)?

    public init(_ scoring: any AllocationScoring) { self.scoring = scoring }

    /// Distinct allocations scored so far.
    public var count: Int { known.count }

    /// Remembers scores found before (a checkpoint's), without asking the scorer.
    public func insert(_ bits: [Int], _ evaluation: Evaluation) { known[bits] = evaluation }

    /// The evaluation of every allocation, in order; the ones not known yet go to the scorer as
    /// one batch (each distinct allocation once).
    public func evaluations(_ allocations: [[Int]]) throws -> [Evaluation] {
        var missing: [[Int]] = []
        var seen = Set<[Int]>()
        for bits in allocations where known[bits] == nil && seen.insert(bits).inserted { missing.append(bits) }
        if !missing.isEmpty {
            let scored = try scoring.score(batch: missing)
            for (bits, evaluation) in zip(missing, scored) { known[bits] = evaluation }
            try onScored?(missing, scored)
        }
        return allocations.map { known[$0]! }
    }

    /// Primary metric per task of every allocation, in order.
    public func metrics(_ allocations: [[Int]]) throws -> [[Double]] {
        try evaluations(allocations).map { $0.tasks.map(\.metric) }
    }
}
