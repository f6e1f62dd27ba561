import FeatureData
import Foundation
import Inference
import MultiObjective

/// Bit allocation as a multi-objective problem on true task metrics, for NSGA-II.
///
/// Genome: one integer bit depth `0…maxBits` per channel. Objectives, all minimised and in
/// `[0, 1]` (DESIGN.md's hypervolume normalisation): `bpe / maxBits`, then per task
/// `1 − metric / clean` clipped to `[0, 1]`, with `clean` the task's metric on unquantised features
/// of the same split. Scores come from an `IncrementalScorer` on `split` (DESIGN.md: NSGA-II
/// searches on `search`), so children that differ from a scored allocation in a few channels
/// cost a fraction of a full evaluation, and exact repeats nothing.
///
/// `evaluate` is serialised by the scorer (which uses every core itself): run NSGA-II with
/// serial population evaluation. NSGA-II hands it each generation as one batch
/// (`BatchEvaluatingProblem`): terms that several children need are then computed once.
public final class TrueMetricProblem: BatchEvaluatingProblem, @unchecked Sendable {
    public let name = "true-metrics"
    public let parameterDescription: String
    public let variables: VariableSpace
    public let objectiveCount: Int
    public let maxBits: Int
    public let scorer: IncrementalScorer
    /// Clean metric per task on `scorer.split`, in task order.
    public let clean: [Double]
    public let taskNames: [String]
    let channelShape: [Int]

    /// - Parameters:
    ///   - maxBits: largest depth per channel (1…16).
    ///   - memoryBudget: the scorer's cache budget in bytes.
    public init(bundle: FeatureBundle, split: Split = .search, maxBits: Int = 8, quantiser: Quantiser? = nil,
                memoryBudget: Int = 512 << 20, workers: Int? = nil) throws {
        guard (1...Quantiser.maximumBits).contains(maxBits) else {
            throw ProblemError.invalidParameter("max bits must be in 1…\(Quantiser.maximumBits) (got \(maxBits))")
        }
        let quantiser = quantiser ?? Quantiser(fitOf: bundle)
        self.maxBits = maxBits
        scorer = IncrementalScorer(bundle: bundle, split: split, quantiser: quantiser, memoryBudget: memoryBudget, workers: workers)
        let cleanEvaluation = scorer.scorer.scoreClean()
        clean = cleanEvaluation.tasks.map(\.metric)
        taskNames = cleanEvaluation.tasks.map(\.name)
        channelShape = bundle.channelShape
        objectiveCount = 1 + clean.count
        let c = bundle.channels
        variables = try VariableSpace(lower: Array(repeating: 0, count: c), upper: Array(repeating: Double(maxBits), count: c),
                                      kinds: Array(repeating: .integer, count: c))
        parameterDescription = "bundle=\(bundle.name) split=\(split.rawValue) C=\(c) maxBits=\(maxBits) tasks=\(taskNames.joined(separator: ","))"
    }

    /// The objectives of an allocation scored as `evaluation` (also for re-scoring a point with
    /// another scorer): `bpe / maxBits`, then per task `1 − metric/clean` clipped to `[0, 1]`.
    public func objectives(bits: [Int], evaluation: Evaluation) -> [Double] {
        var f = [Rate(bits: bits, channelShape: channelShape).bpe / Double(maxBits)]
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

    public func objectives(bits: [Int]) -> [Double] {
        objectives(bits: bits, evaluation: scorer.score(bits: bits))
    }

    public func evaluate(_ x: UnsafeBufferPointer<Double>, objectives: UnsafeMutableBufferPointer<Double>,
                         constraints: UnsafeMutableBufferPointer<Double>) {
        let bits = Self.bits(x, maxBits: maxBits)
        let f = self.objectives(bits: bits)
        for k in 0..<objectiveCount { objectives[k] = f[k] }
    }

    /// Evaluates rows `rows` of a population in one batch (the scorer picks the cheapest cached
    /// start for each in turn, and computes a term several rows need once).
    public func evaluate(_ population: inout Population, rows: Range<Int>) {
        let allocations = rows.map { r in population.variables(of: r).withUnsafeBufferPointer { Self.bits($0, maxBits: maxBits) } }
        let evaluations = scorer.score(batch: allocations)
        let m = objectiveCount
        for (k, r) in rows.enumerated() {
            let f = objectives(bits: allocations[k], evaluation: evaluations[k])
            for j in 0..<m { population.f[r * m + j] = f[j] }
        }
    }

    /// A genome as bit depths (rounded and clamped: operators keep integers, this is a guard).
    public static func bits(_ x: UnsafeBufferPointer<Double>, maxBits: Int) -> [Int] {
        x.map { Swift.min(maxBits, Swift.max(0, Int($0.rounded()))) }
    }
}
