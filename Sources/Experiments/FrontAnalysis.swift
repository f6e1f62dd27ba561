import Basics
import MultiObjective

/// What `front` says about a set of scored allocations: which points are non-dominated, the
/// hypervolume of each method's front per seed (normalised as docs/architecture.md defines, so numbers compare
/// across tools), and the paired Wilcoxon test of one method against the others over seeds.
public enum FrontAnalysis {
    /// One scored allocation.
    public struct Point: Sendable, Equatable {
        public var bpe: Double
        /// Primary metric per task (higher is better).
        public var metrics: [Double]
        public init(bpe: Double, metrics: [Double]) { self.bpe = bpe; self.metrics = metrics }
    }

    /// docs/architecture.md's objectives, all minimised and in [0, 1]: `bpe / maxBits` and, per task,
    /// `1 − metric/clean` clipped to [0, 1] (clean on the same split).
    public static func normalisedObjectives(_ p: Point, clean: [Double], maxBits: Int) -> [Double] {
        var v = [p.bpe / Double(maxBits)]
        for (m, c) in zip(p.metrics, clean) {
            let loss = c != 0 ? 1 - m / c : (m >= c ? 0 : 1)
            v.append(min(1, max(0, loss)))
        }
        return v
    }

    /// Whether each point is non-dominated among `points`, in the raw objectives (fewer bits per
    /// element, higher metrics); equal points do not dominate each other.
    public static func nondominated(_ points: [Point]) -> [Bool] {
        let raw = points.map { [$0.bpe] + $0.metrics.map { -$0 } }
        let front = Set(NonDominatedSorting.nonDominatedIndices(raw))
        return points.indices.map { front.contains($0) }
    }

    /// Exact hypervolume of the points' normalised objectives against the reference point (1, …, 1).
    public static func hypervolume(_ points: [Point], clean: [Double], maxBits: Int) -> Double {
        guard !points.isEmpty else { return 0 }
        let objectives = points.map { normalisedObjectives($0, clean: clean, maxBits: maxBits) }
        return Hypervolume.compute(objectives, reference: [Double](repeating: 1, count: objectives[0].count))
    }

    /// Mean and sample standard deviation (n − 1; 0 for one value).
    public static func meanAndSD(_ values: [Double]) -> (mean: Double, sd: Double) {
        guard !values.isEmpty else { return (.nan, .nan) }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let ss = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (ss / Double(values.count - 1)).squareRoot())
    }

    /// The paired comparison of `reference` against `other` over the same seeds; nil p-value when
    /// every difference is zero (the test is undefined).
    public struct Comparison: Sendable, Equatable {
        public var seeds: Int
        public var wilcoxonP: Double?
        /// Mean of reference − other (positive: the reference method's fronts are larger).
        public var meanDifference: Double
    }

    public static func compare(reference: [Double], other: [Double]) -> Comparison {
        precondition(reference.count == other.count, "hypervolumes must be paired by seed")
        let test = WilcoxonSignedRank(reference, other)
        let diff = zip(reference, other).map { $0 - $1 }
        return Comparison(seeds: reference.count, wilcoxonP: test?.pValue,
                          meanDifference: diff.isEmpty ? 0 : diff.reduce(0, +) / Double(diff.count))
    }

    /// Fewer seeds than this cannot give a two-sided p below 0.05 (six all-positive pairs give 2/64).
    public static let seedsForSignificance = 6
}
