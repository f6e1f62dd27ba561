import FeatureData

/// Scores allocations of a bundle of several streams with the bundle's own heads.
///
/// Each head reads one stream (docs/format.md, `input`), so the tasks are grouped by the stream
/// they read and each group is scored by a single-stream scorer (`Scorer`, or `IncrementalScorer`
/// for a search) on that stream's slice of the allocation; the evaluations are put back together
/// in task order. A group's numbers are exactly those of the same heads on a bundle of that one
/// stream.
public final class StreamScoring: AllocationScoring {
    public let split: Split
    public let taskNames: [String]
    public let samples: Int

    struct Part {
        /// The stream's global channels.
        let channels: Range<Int>
        /// Indices of the group's tasks in the bundle.
        let tasks: [Int]
        let scorer: any AllocationScoring
    }
    let parts: [Part]

    /// Every task needs a head (`MetricSource.requireHeads`); with `incremental`, each stream's
    /// group is an `IncrementalScorer` sharing `memoryBudget` bytes with the others.
    public init(bundle: FeatureBundle, split: Split, quantiser: Quantiser, incremental: Bool = false,
                memoryBudget: Int = 512 << 20, workers: Int? = nil) {
        precondition(bundle.tasks.allSatisfy(\.hasHead), "StreamScoring runs heads: every task needs one")
        self.split = split
        taskNames = bundle.tasks.map(\.name)
        samples = bundle.sampleCount(of: split)
        var parts: [Part] = []
        let readStreams = Set(bundle.tasks.compactMap { bundle.streamIndex(of: $0) })
        for (index, stream) in bundle.streams.enumerated() where readStreams.contains(index) {
            let tasks = bundle.tasks.indices.filter { bundle.streamIndex(of: bundle.tasks[$0]) == index }
            let view = bundle.stream(index) { bundle.streamIndex(of: $0) == index }
            let part = quantiser.slice(stream.channelRange)
            let scorer: any AllocationScoring = incremental
                ? IncrementalScorer(bundle: view, split: split, quantiser: part, memoryBudget: memoryBudget / readStreams.count, workers: workers)
                : Scorer(bundle: view, split: split, quantiser: part, workers: workers)
            parts.append(Part(channels: stream.channelRange, tasks: tasks, scorer: scorer))
        }
        self.parts = parts
    }

    public func scoreClean() throws -> Evaluation {
        try merge(parts.map { [try $0.scorer.scoreClean()] })[0]
    }

    public func score(batch: [[Int]]) throws -> [Evaluation] {
        try merge(parts.map { part in try part.scorer.score(batch: batch.map { Array($0[part.channels]) }) })
    }

    public func score(depthBatch: [[Int?]]) throws -> [Evaluation] {
        try merge(parts.map { part in try part.scorer.score(depthBatch: depthBatch.map { Array($0[part.channels]) }) })
    }

    /// `perPart[p][k]`: part `p`'s evaluation of allocation `k` → one evaluation per allocation
    /// with every task in bundle order.
    private func merge(_ perPart: [[Evaluation]]) -> [Evaluation] {
        let count = perPart.first?.count ?? 0
        return (0..<count).map { k in
            var tasks = [TaskScore?](repeating: nil, count: taskNames.count)
            for (p, part) in parts.enumerated() {
                for (j, t) in part.tasks.enumerated() { tasks[t] = perPart[p][k].tasks[j] }
            }
            return Evaluation(split: split, samples: samples, tasks: tasks.map { $0! })
        }
    }
}

/// The scorer of a split from the bundle's own heads: one stream runs through `Scorer` (or
/// `IncrementalScorer` for a search) directly, several through `StreamScoring`.
public enum HeadScoring {
    public static func scorer(bundle: FeatureBundle, split: Split, quantiser: Quantiser, incremental: Bool = false,
                              memoryBudget: Int = 512 << 20, workers: Int? = nil) -> any AllocationScoring {
        if bundle.isMultiStream {
            return StreamScoring(bundle: bundle, split: split, quantiser: quantiser, incremental: incremental, memoryBudget: memoryBudget, workers: workers)
        }
        return incremental ? IncrementalScorer(bundle: bundle, split: split, quantiser: quantiser, memoryBudget: memoryBudget, workers: workers)
                           : Scorer(bundle: bundle, split: split, quantiser: quantiser, workers: workers)
    }
}
