import Basics
import FeatureData
import Foundation
import Importance

/// Which solver takes the budget form (the ε form always goes to GLPK).
public enum AllocationSolverChoice: String, CaseIterable, Sendable {
    case exact, glpk
}

/// One allocation and how it was found.
public struct AllocationResult: Sendable {
    public enum Form: String, Sendable {
        /// Minimise the weighted distortion under a rate budget.
        case budget
        /// Minimise the rate under one distortion bound per task.
        case epsilon
        /// The best top-k/base pair of the two-level scheme within a budget.
        case twoLevel
    }

    public var form: Form
    /// Bit depth per channel.
    public var bits: [Int]
    /// `Σ_c b_c S_c`: bits per sample (fixed-length).
    public var rate: Int
    /// `rate / Σ_c S_c`: bits per element.
    public var bpe: Double
    /// The rate limit in bits (`B · Σ_c S_c` for the ε form without a budget).
    public var maxRate: Double
    /// The form's objective: `Σ_c a_c d_c(b_c)` (budget, two-level) or the rate in bits (ε).
    public var objective: Double
    /// Normalised task weights `w_t` (budget and two-level forms).
    public var taskWeights: [Double]?
    /// `Σ_c ŝ_{t,c} d_c(b_c)` per task, in the model's task order.
    public var taskDistortions: [Double]
    /// The solver's answer (status, optimality, seconds of the solve alone).
    public var solution: AllocationSolution
    /// The two-level pair, for `.twoLevel`.
    public var twoLevel: TwoLevelChoice?
}

/// The library half of `mipareto allocate` (and of `front`'s `ilp-*` / `twolevel-*` methods):
/// importance scores → distortion table → model → solver → `AllocationResult`.
///
/// The scores and the table are computed once, when the allocator is made; every call after
/// that only builds a problem and solves it, so a sweep over budgets costs one solve per budget.
public struct Allocator: Sendable {
    public let model: AllocationModel
    public let scores: ImportanceScores
    /// Time spent on the importance scores and on the distortion table (seconds), when measured here.
    public let importanceSeconds: Double
    public let tableSeconds: Double

    /// Computes `options`' importance scores and the fit-split distortion table of `bundle`.
    public init(bundle: FeatureBundle, importance options: ImportanceOptions, maxBits: Int = 8) throws {
        try Quantiser.checkMaxBits(maxBits)
        let clock = ContinuousClock()
        let start = clock.now
        let scores = try ImportanceCalculator.scores(bundle: bundle, options: options)
        let scored = clock.now
        let table = DistortionTable(fitOf: bundle, maxBits: maxBits)
        let tabled = clock.now
        self.init(model: AllocationModel(scores: scores, table: table, channelSizes: bundle.channelSizes),
                  scores: scores, importanceSeconds: (scored - start).seconds, tableSeconds: (tabled - scored).seconds)
    }

    /// An allocator over scores and a table computed elsewhere (`front` shares them across methods).
    public init(model: AllocationModel, scores: ImportanceScores, importanceSeconds: Double = 0, tableSeconds: Double = 0) {
        self.model = model
        self.scores = scores
        self.importanceSeconds = importanceSeconds
        self.tableSeconds = tableSeconds
    }

    /// Budget form at `budget` bits per element, weights `task=w,…` (nil: equal).
    public func allocate(budget: Double, weights: TaskValues? = nil, solver: AllocationSolverChoice = .exact,
                         glpk: GLPKSolver = GLPKSolver()) throws(AllocationError) -> AllocationResult {
        let w = try model.taskWeights(weights)
        let problem = try model.budgetProblem(budget: budget, taskWeights: w)
        let solution: AllocationSolution
        switch solver {
        case .exact:
            do { solution = try ExactSolver.solve(problem) } catch { throw .invalidInput(error.message) }
        case .glpk:
            solution = glpk.solve(problem)
        }
        try Self.requireAllocation(solution)
        return AllocationResult(form: .budget, bits: solution.bits, rate: solution.rate, bpe: bpe(solution.rate),
                                maxRate: problem.maxRate, objective: solution.objective, taskWeights: w,
                                taskDistortions: model.taskDistortions(of: solution.bits), solution: solution, twoLevel: nil)
    }

    /// ε form: the least rate with `Σ_c ŝ_{t,c} d_c(b_c) ≤ ε_t` for every task named, within
    /// `budget` bits per element when given. Solved by GLPK. Throws `.infeasible` naming the first
    /// task whose bound cannot be met (decided exactly before solving).
    public func allocate(epsilon: TaskValues, budget: Double? = nil, glpk: GLPKSolver = GLPKSolver()) throws(AllocationError) -> AllocationResult {
        let problem = try model.epsilonProblem(epsilon: epsilon, budget: budget)
        let solution = glpk.solve(problem)
        if solution.status == .infeasible {
            let limit = budget.map { "within \(ParameterError.mention("budget")) \(TaskValues.format($0)) bits per element" } ?? "at any rate"
            throw .infeasible(task: nil, message: "\(ParameterError.mention("epsilon")) \(epsilon.text): infeasible: no allocation \(limit) meets every bound (each bound alone can be met at a higher rate; GLPK: \(solution.message))")
        }
        try Self.requireAllocation(solution)
        return AllocationResult(form: .epsilon, bits: solution.bits, rate: solution.rate, bpe: bpe(solution.rate),
                                maxRate: problem.maxRate, objective: solution.objective, taskWeights: nil,
                                taskDistortions: model.taskDistortions(of: solution.bits), solution: solution, twoLevel: nil)
    }

    /// The two-level scheme at `budget` bits per element.
    public func twoLevel(budget: Double, weights: TaskValues? = nil) throws(AllocationError) -> AllocationResult {
        let w = try model.taskWeights(weights)
        let clock = ContinuousClock()
        let start = clock.now
        let choice = try model.twoLevel(budget: budget, taskWeights: w)
        let seconds = (clock.now - start).seconds
        // Best of its family (every (k, b_lo) is tried), a feasible point of the budget form.
        let solution = AllocationSolution(status: .feasible, bits: choice.bits, objective: choice.objective, rate: choice.rate,
                                          lowerBound: nil, seconds: seconds, solver: "twolevel",
                                          message: "top \(choice.k) channels at \(choice.high) bits, the rest at \(choice.low)")
        return AllocationResult(form: .twoLevel, bits: choice.bits, rate: choice.rate, bpe: bpe(choice.rate),
                                maxRate: try model.maxRate(budget: budget), objective: choice.objective, taskWeights: w,
                                taskDistortions: model.taskDistortions(of: choice.bits), solution: solution, twoLevel: choice)
    }

    private func bpe(_ rate: Int) -> Double { Double(rate) / Double(model.totalSize) }

    static func requireAllocation(_ solution: AllocationSolution) throws(AllocationError) {
        switch solution.status {
        case .optimal, .feasible: return
        case .timeLimit where solution.hasAllocation: return
        case .timeLimit: throw .solverFailed("the \(solution.solver) solver ran out of time before finding an allocation")
        case .infeasible: throw .infeasible(task: nil, message: "infeasible: \(solution.message)")
        case .error: throw .solverFailed("the \(solution.solver) solver failed: \(solution.message)")
        }
    }
}
