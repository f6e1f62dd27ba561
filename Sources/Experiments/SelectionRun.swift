import FeatureData
import Importance
import Inference

/// Hard selection (Alvar & Bajić, arXiv 2405.09077): rank channels by an importance measure,
/// keep the top k, drop the rest (b = 0: replaced by their fit mean), for k = 1…C, and score
/// every task on one split.
///
/// Rankings: one per task (that task's scores), and `all`: `ImportanceScores.combined(weights:)`
/// (each task's scores normalised to sum 1, weighted). Ties rank the lower channel first.
public enum SelectionRun {
    /// The name of the weighted ranking.
    public static let combinedRanking = "all"

    /// The curve of one ranking of one measure.
    public struct Curve: Sendable {
        public var measure: ImportanceMeasure
        /// The task whose scores ranked the channels, or `all` for the weighted ranking.
        public var ranking: String
        /// Channels in ranking order (most important first).
        public var order: [Int]
        /// k = 1…C.
        public var k: [Int]
        /// `metrics[task][i]`: each task's metric with the top `k[i]` channels kept.
        public var metrics: [[Double]]
        /// The metric the curve stands for: the ranking task's own, or for `all` the weighted mean
        /// over tasks of metric/clean.
        public var metric: [Double]
        /// Mean over k of metric/clean (for `all`: the mean of `metric`, already relative).
        public var area: Double
    }

    public struct Result: Sendable {
        public var split: Split
        public var taskNames: [String]
        public var metricNames: [String]
        /// Clean metric per task on the same split.
        public var clean: [Double]
        public var weights: [Double]
        /// The depth of a kept channel (nil: unquantised).
        public var keptBits: Int?
        public var curves: [Curve]
    }

    /// - Parameters:
    ///   - scoring: a scorer of the split to judge on.
    ///   - scores: one `ImportanceScores` per measure.
    ///   - weights: one per task (normalised inside `combined`).
    ///   - keptBits: the depth of a kept channel; nil keeps it unquantised (only the bundle's
    ///     heads can score that).
    ///   - progress: (rankings done, rankings in all).
    public static func run(bundle: FeatureBundle, scoring: any AllocationScoring, scores: [ImportanceScores], weights: [Double],
                           keptBits: Int? = nil, progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        let channels = bundle.channels, taskCount = bundle.tasks.count
        let clean = try scoring.scoreClean().tasks.map(\.metric)
        let totalWeight = weights.reduce(0, +)
        let normalisedWeights = weights.map { totalWeight > 0 ? $0 / totalWeight : 1 / Double(taskCount) }
        // The same kept set gives the same metrics: task-independent measures share one ranking.
        var cache: [[Bool]: [Double]] = [:]
        var curves: [Curve] = []
        let planned = scores.count * (taskCount + 1)
        var done = 0
        for measureScores in scores {
            let rankings: [(String, [Double])] = zip(measureScores.taskNames, measureScores.scores).map { ($0, $1) }
                + [(combinedRanking, measureScores.combined(weights: weights))]
            for (name, row) in rankings {
                let order = ChannelRanking.order(row)
                var keptSets: [[Bool]] = []
                var kept = [Bool](repeating: false, count: channels)
                for c in order {
                    kept[c] = true
                    keptSets.append(kept)
                }
                var missing: [[Bool]] = []
                var seen = Set<[Bool]>()
                for set in keptSets where cache[set] == nil && seen.insert(set).inserted { missing.append(set) }
                let scored = try scoring.score(depthBatch: missing.map { set in set.map { $0 ? keptBits : 0 } })
                for (set, evaluation) in zip(missing, scored) { cache[set] = evaluation.tasks.map(\.metric) }
                var metrics = [[Double]](repeating: [], count: taskCount)
                for set in keptSets {
                    let values = cache[set]!
                    for t in 0..<taskCount { metrics[t].append(values[t]) }
                }
                let metric: [Double]
                if let t = bundle.tasks.firstIndex(where: { $0.name == name }) {
                    metric = metrics[t]
                } else {
                    metric = (0..<channels).map { i in (0..<taskCount).reduce(0) { $0 + normalisedWeights[$1] * metrics[$1][i] / clean[$1] } }
                }
                let relative = name == combinedRanking ? metric : metric.map { $0 / clean[bundle.tasks.firstIndex { $0.name == name }!] }
                curves.append(Curve(measure: measureScores.measure, ranking: name, order: order, k: Array(1...channels),
                                    metrics: metrics, metric: metric, area: relative.reduce(0, +) / Double(channels)))
                done += 1
                progress?(done, planned)
            }
        }
        return Result(split: scoring.split, taskNames: bundle.tasks.map(\.name), metricNames: bundle.tasks.map(\.kind.metricName),
                      clean: clean, weights: normalisedWeights, keptBits: keptBits, curves: curves)
    }
}
