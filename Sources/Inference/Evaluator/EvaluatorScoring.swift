import FeatureData

/// An external evaluator's scores of one split, behind the scoring interface every experiment
/// uses. Each distinct allocation is asked for once (results are a pure function of split and
/// allocation); `onScored` sees every new result, so a checkpoint can keep them and a resumed run
/// `insert`s them back instead of asking again.
///
/// A batch given to `score(batch:)` is one request when `batchSize` is nil (an NSGA-II
/// generation), else it is cut into requests of `batchSize` allocations with up to `inflight`
/// outstanding at once, so a pool of workers behind the evaluator is never idle.
public final class EvaluatorScoring: AllocationScoring {
    public let session: EvaluatorSession
    public let split: Split
    public let samples: Int
    public let batchSize: Int?
    public let inflight: Int
    public var taskNames: [String] { session.tasks.map(\.name) }
    private let kinds: [TaskKind]
    private var known: [[Int]: Evaluation] = [:]
    public var onScored: (([[Int]], [Evaluation]) throws -> Void)?

    public init(session: EvaluatorSession, bundle: FeatureBundle, split: Split, batchSize: Int? = 64, inflight: Int = 1) throws(EvaluatorError) {
        try session.require(split: split)
        self.session = session
        self.split = split
        self.batchSize = batchSize.map { Swift.max(1, $0) }
        self.inflight = Swift.max(1, inflight)
        let source = bundle.samples(split.source)
        samples = split.sampleIndices(sourceCount: source).count
        kinds = bundle.tasks.map(\.kind)
    }

    /// Distinct allocations known (asked or inserted).
    public var count: Int { known.count }

    /// A result found before (a checkpoint's).
    public func insert(_ bits: [Int], _ evaluation: Evaluation) { known[bits] = evaluation }

    public func scoreClean() -> Evaluation {
        evaluation(metrics: session.tasks.map { $0.clean[split]! }, coded: nil)
    }

    public func score(batch: [[Int]]) throws -> [Evaluation] {
        var missing: [[Int]] = []
        var seen = Set<[Int]>()
        for bits in batch where known[bits] == nil && seen.insert(bits).inserted { missing.append(bits) }
        if !missing.isEmpty {
            let requests: [[[Int]]]
            if let batchSize {
                requests = stride(from: 0, to: missing.count, by: batchSize).map { Array(missing[$0..<Swift.min(missing.count, $0 + batchSize)]) }
            } else {
                requests = [missing]
            }
            let replies = try session.score(split: split, batches: requests, inflight: inflight)
            let scored = replies.joined().map { evaluation(metrics: $0.metrics, coded: $0.codedBitsPerSample) }
            for (bits, e) in zip(missing, scored) { known[bits] = e }
            try onScored?(missing, Array(scored))
        }
        return batch.map { known[$0]! }
    }

    private func evaluation(metrics: [Double], coded: Double?) -> Evaluation {
        Evaluation(split: split, samples: samples,
                   tasks: zip(session.tasks, zip(kinds, metrics)).map { TaskScore(name: $0.name, kind: $1.0, metric: $1.1, details: []) },
                   codedBitsPerSample: coded)
    }
}
