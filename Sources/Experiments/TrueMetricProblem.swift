import FeatureData
import Foundation
import Inference
import MultiObjective

/// Bit allocation as a multi-objective problem on true task metrics, for NSGA-II.
///
/// Genome: one integer bit depth `0…maxBits` per channel. Objectives, all minimised and in
/// `[0, 1]` (the front's hypervolume normalisation): `bpe / maxBits`, then per task
/// `1 − metric / clean` clipped to `[0, 1]`, with `clean` the task's metric on unquantised
/// features of the same split. NSGA-II searches on `search` (even eval samples) and hands each
/// generation over as one batch (`BatchEvaluatingProblem`): the bundle's heads then share
/// first-layer terms (`IncrementalScorer`), an external evaluator gets one request.
///
/// `evaluate` is serialised by the scorer (which uses every core itself): run NSGA-II with
/// serial population evaluation. A scorer that fails (an evaluator error) cannot throw through
/// NSGA-II's evaluation: the error is kept in `failure`, the batch gets the worst objectives, and
/// the caller stops the run at the end of the generation (`checkFailure()`).
public final class TrueMetricProblem: BatchEvaluatingProblem, @unchecked Sendable {
    public let name = "true-metrics"
    public let parameterDescription: String
    public let variables: VariableSpace
    public let objectiveCount: Int
    public let maxBits: Int
    public let scoring: any AllocationScoring
    /// Clean metric per task on `scoring.split`, in task order.
    public let clean: [Double]
    public let taskNames: [String]
    /// Elements per sample of each channel (its stream's H·W), for the rate.
    let channelSizes: [Int]
    /// The first scoring error of a batch, until `checkFailure()` reports it.
    public private(set) var failure: Error?

    /// The bundle's own heads through an `IncrementalScorer` on `split`.
    /// - Parameters:
    ///   - maxBits: largest depth per channel (1…16).
    ///   - memoryBudget: the scorer's cache budget in bytes.
    public convenience init(bundle: FeatureBundle, split: Split = .search, maxBits: Int = 8, quantiser: Quantiser? = nil,
                            memoryBudget: Int = 512 << 20, workers: Int? = nil) throws {
        try Self.check(maxBits: maxBits)
        let quantiser = quantiser ?? Quantiser(fitOf: bundle)
        try MetricSource.requireHeads(bundle)
        let scorer = HeadScoring.scorer(bundle: bundle, split: split, quantiser: quantiser, incremental: true, memoryBudget: memoryBudget, workers: workers)
        try self.init(bundle: bundle, scoring: scorer, maxBits: maxBits)
    }

    /// Any scorer of the split (the bundle's heads, or an external evaluator).
    public init(bundle: FeatureBundle, scoring: any AllocationScoring, maxBits: Int) throws {
        try Self.check(maxBits: maxBits)
        self.maxBits = maxBits
        self.scoring = scoring
        let cleanEvaluation = try scoring.scoreClean()
        clean = cleanEvaluation.tasks.map(\.metric)
        taskNames = cleanEvaluation.tasks.map(\.name)
        channelSizes = bundle.channelSizes
        objectiveCount = 1 + clean.count
        let c = bundle.channels
        variables = try VariableSpace(lower: Array(repeating: 0, count: c), upper: Array(repeating: Double(maxBits), count: c),
                                      kinds: Array(repeating: .integer, count: c))
        parameterDescription = "bundle=\(bundle.name) split=\(scoring.split.rawValue) C=\(c) maxBits=\(maxBits) tasks=\(taskNames.joined(separator: ","))"
    }

    private static func check(maxBits: Int) throws {
        guard (1...Quantiser.maximumBits).contains(maxBits) else {
            throw ProblemError.invalidParameter("max bits must be in 1…\(Quantiser.maximumBits) (got \(maxBits))")
        }
    }

    /// The heads' incremental scorer, when that is what scores (its statistics go in reports).
    public var incrementalScorer: IncrementalScorer? { scoring as? IncrementalScorer }

    /// The objectives of an allocation scored as `evaluation` (also for re-scoring a point with
    /// another scorer): `bpe / maxBits`, then per task `1 − metric/clean` clipped to `[0, 1]`.
    public func objectives(bits: [Int], evaluation: Evaluation) -> [Double] {
        var f = [Rate(bits: bits, channelSizes: channelSizes).bpe / Double(maxBits)]
        for (t, task) in evaluation.tasks.enumerated() {
            f.append(Self.loss(metric: task.metric, clean: clean[t]))
        }
        return f
    }

    /// `1 − metric/clean` clipped to `[0, 1]`; a task whose clean metric is not positive counts
    /// as lost (1) unless the metric reaches it.
    static func loss(metric: Double, clean: Double) -> Double {
        guard clean > 0 else { return metric >= clean ? 0 : 1 }
        let value = 1 - metric / clean
        return value.isNaN ? 1 : Swift.min(1, Swift.max(0, value))
    }

    public func objectives(bits: [Int]) throws -> [Double] {
        objectives(bits: bits, evaluation: try scoring.score(batch: [bits])[0])
    }

    /// Throws the scoring error kept since the last call, if any.
    public func checkFailure() throws {
        if let failure {
            self.failure = nil
            throw failure
        }
    }

    public func evaluate(_ x: UnsafeBufferPointer<Double>, objectives: UnsafeMutableBufferPointer<Double>,
                         constraints: UnsafeMutableBufferPointer<Double>) {
        let bits = Self.bits(x, maxBits: maxBits)
        let f = score([bits])[0]
        for k in 0..<objectiveCount { objectives[k] = f[k] }
    }

    /// Evaluates rows `rows` of a population in one batch.
    public func evaluate(_ population: inout Population, rows: Range<Int>) {
        let allocations = rows.map { r in population.variables(of: r).withUnsafeBufferPointer { Self.bits($0, maxBits: maxBits) } }
        let m = objectiveCount
        for (k, f) in score(allocations).enumerated() {
            for j in 0..<m { population.f[(rows.lowerBound + k) * m + j] = f[j] }
        }
    }

    private func score(_ allocations: [[Int]]) -> [[Double]] {
        guard failure == nil else { return allocations.map { _ in worst } }
        do {
            return zip(allocations, try scoring.score(batch: allocations)).map { objectives(bits: $0, evaluation: $1) }
        } catch {
            failure = error
            return allocations.map { _ in worst }
        }
    }

    private var worst: [Double] { [Double](repeating: 1, count: objectiveCount) }

    /// A genome as bit depths (rounded and clamped: operators keep integers, this is a guard).
    public static func bits(_ x: UnsafeBufferPointer<Double>, maxBits: Int) -> [Int] {
        x.map { Swift.min(maxBits, Swift.max(0, Int($0.rounded()))) }
    }
}
