import Basics
import Allocation
import FeatureData
import Foundation
import Importance
import MultiObjective
import Testing

/// Every allocation of `channels` channels with depths 0…maxBits, in lexicographic order.
func allAllocations(channels: Int, maxBits: Int) -> [[Int]] {
    var result: [[Int]] = [[]]
    for _ in 0..<channels { result = result.flatMap { prefix in (0...maxBits).map { prefix + [$0] } } }
    return result
}

/// A small model cut from the mini bundle's real distortion table (its first `channels`
/// channels, depths 0…maxBits) with the bundle's variance scores.
func miniModel(channels: Int, maxBits: Int) throws -> AllocationModel {
    let full = DistortionTable(fitOf: TestBundles.mini, maxBits: maxBits)
    let table = DistortionTable(absolute: Array(full.absolute.prefix(channels)))
    let scores = try ImportanceCalculator.scores(bundle: TestBundles.mini, options: ImportanceOptions(measure: .variance))
    return AllocationModel(taskNames: scores.taskNames, scores: scores.scores.map { Array($0.prefix(channels)) },
                           table: table, sizes: [Int](repeating: TestBundles.mini.elementsPerChannel, count: channels))
}

@Suite struct BudgetFormTests {
    /// Brute force over all 5^5 = 3125 allocations of a real 5-channel slice (B = 4, S_c = 32):
    /// the exact solver and GLPK find the least Σ_c a_c d_c(b_c) within the budget.
    @Test(arguments: [0.0, 0.3, 1.0, 1.7, 2.5, 3.2, 4.0])
    func equalsBruteForce(budget: Double) throws {
        let model = try miniModel(channels: 5, maxBits: 4)
        for weights in [nil, TaskValues([("left", 3), ("recon", 1)])] {
            let w = try model.taskWeights(weights)
            let a = model.channelWeights(taskWeights: w)
            let limit = (budget * 5 * 32).rounded(.down)
            var best = Double.infinity
            for bits in allAllocations(channels: 5, maxBits: 4) where Double(zip(bits, model.sizes).map { $0 * $1 }.reduce(0, +)) <= limit {
                var objective = 0.0
                for c in 0..<5 { objective += a[c] * model.table.relative[c][bits[c]] }
                best = min(best, objective)
            }
            let allocator = Allocator(model: model, scores: ImportanceScores(measure: .variance, estimator: nil, taskNames: model.taskNames, scores: model.taskScores))
            for solver in AllocationSolverChoice.allCases {
                let result = try allocator.allocate(budget: budget, weights: weights, solver: solver)
                #expect(Double(result.rate) <= limit)
                #expect(result.bpe <= budget)
                let tolerance = solver == .exact ? 1e-12 : 1e-6
                #expect(relativeDifference(result.objective, best) <= tolerance, "\(solver) budget \(budget): \(result.objective) vs brute force \(best)")
            }
        }
    }

    /// The exact solver against GLPK on the whole mini table (32 channels, B = 8) for a sweep of
    /// budgets: GLPK is a second, independent solver of the same program.
    @Test func exactEqualsGLPKOnTheRealTable() throws {
        let allocator = try Allocator(bundle: TestBundles.mini, importance: ImportanceOptions(measure: .variance), maxBits: 8)
        for budget in stride(from: 0.25, through: 7.75, by: 0.5) {
            let exact = try allocator.allocate(budget: budget, solver: .exact)
            let glpk = try allocator.allocate(budget: budget, solver: .glpk)
            #expect(exact.solution.optimal)
            #expect(exact.objective <= glpk.objective * (1 + 1e-9) + 1e-15)
            #expect(relativeDifference(exact.objective, glpk.objective) < 1e-6, "budget \(budget)")
        }
    }

    /// The rate never exceeds the budget (to the 1e-12 of the rate limit's rounding guard), on a
    /// fine sweep of budgets.
    @Test func rateNeverExceedsTheBudget() throws {
        let allocator = try Allocator(bundle: TestBundles.mini, importance: ImportanceOptions(measure: .l1), maxBits: 8)
        let total = 32 * 32
        for step in 0...160 {
            let budget = Double(step) * 0.05
            let result = try allocator.allocate(budget: budget)
            #expect(Double(result.rate) <= budget * Double(total) * (1 + 1e-12), "budget \(budget): rate \(result.rate)")
            #expect(result.bpe <= budget * (1 + 1e-12))
            #expect(result.rate == result.bits.reduce(0, +) * 32)
        }
    }

    /// maxRate = ⌊budget·Σ S_c⌋ in exact arithmetic, with Σ S_c = 100: 2.3 · 100 = 230 and
    /// 0.57 · 100 = 57, although in floating point 2.3 * 100.0 = 229.99999999999997 and
    /// 0.57 * 100.0 = 56.99999999999999 (Python prints these), so a plain floor loses a bit.
    @Test func rateLimitIsExact() throws {
        let table = DistortionTable(absolute: (0..<4).map { _ in [1, 0.5, 0.25, 0.125] })
        let model = AllocationModel(taskNames: ["t"], scores: [[1, 1, 1, 1]], table: table, sizes: [10, 20, 30, 40])
        #expect(try model.maxRate(budget: 2.3) == 230)
        #expect(try model.maxRate(budget: 0.57) == 57)
        #expect(try model.maxRate(budget: 3) == 300)
        #expect(try model.maxRate(budget: 0) == 0)
        #expect(try model.maxRate(budget: 0.005) == 0)
    }

    @Test func weights() throws {
        let model = try miniModel(channels: 3, maxBits: 2)
        #expect(model.taskNames == ["left", "right", "sum_ge_10", "recon"])
        #expect(try model.taskWeights(nil) == [0.25, 0.25, 0.25, 0.25])
        #expect(try model.taskWeights(TaskValues.parse("left=2, right=1", parameter: "weights")) == [2.0 / 3, 1.0 / 3, 0, 0])
        #expect(try model.taskWeights(TaskValues.parse("recon=0.5", parameter: "weights")) == [0, 0, 0, 1])
        #expect(throws: AllocationError.invalidInput(ParameterError.mention("weights") + ": unknown task \"middle\" (the bundle's tasks: left, right, sum_ge_10, recon)")) {
            try model.taskWeights(TaskValues.parse("left=1,middle=2", parameter: "weights"))
        }
        #expect(throws: AllocationError.self) { try model.taskWeights(TaskValues.parse("left=-1,right=2", parameter: "weights")) }
        #expect(throws: AllocationError.self) { try model.taskWeights(TaskValues.parse("left=0", parameter: "weights")) }
        for bad in ["left", "left=x", "=2", "left=1,left=2", "left=nan", "left=inf", ""] {
            #expect(throws: ParameterError.self, "\(bad)") { try TaskValues.parse(bad, parameter: "weights") }
        }
        // a_c = Σ_t w_t ŝ_{t,c} sums to 1.
        let a = model.channelWeights(taskWeights: try model.taskWeights(nil))
        #expect(abs(a.reduce(0, +) - 1) < 1e-15)
    }

    @Test func badBudgets() throws {
        let model = try miniModel(channels: 3, maxBits: 4)
        for budget in [-0.5, 4.01, .nan, .infinity] {
            #expect(throws: AllocationError.self, "\(budget)") { try model.budgetProblem(budget: budget, taskWeights: [0.25, 0.25, 0.25, 0.25]) }
        }
    }

    /// Scores that are negative (MI estimates can be) are clipped; a task whose scores are all ≤ 0
    /// counts every channel equally.
    @Test func scoresAreClippedAndNormalised() {
        let table = DistortionTable(absolute: (0..<4).map { _ in [1, 0.5] })
        let model = AllocationModel(taskNames: ["a", "b"], scores: [[2, -1, 1, 1], [-1, 0, -3, 0]], table: table, sizes: [1, 1, 1, 1])
        #expect(model.taskScores == [[0.5, 0, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]])
    }
}

@Suite struct EpsilonFormTests {
    /// Brute force over all 3125 allocations of the real 5-channel slice: the least rate meeting
    /// every bound (two tasks bounded).
    @Test(arguments: [0.02, 0.05, 0.2, 0.6])
    func equalsBruteForce(bound: Double) throws {
        let model = try miniModel(channels: 5, maxBits: 4)
        let epsilon = TaskValues([("left", bound), ("recon", bound * 1.5)])
        var best = Int.max
        for bits in allAllocations(channels: 5, maxBits: 4) {
            let left = (0..<5).reduce(0.0) { $0 + model.taskScores[0][$1] * model.table.relative[$1][bits[$1]] }
            let recon = (0..<5).reduce(0.0) { $0 + model.taskScores[3][$1] * model.table.relative[$1][bits[$1]] }
            guard left <= bound, recon <= bound * 1.5 else { continue }
            best = min(best, zip(bits, model.sizes).map { $0 * $1 }.reduce(0, +))
        }
        let allocator = Allocator(model: model, scores: ImportanceScores(measure: .variance, estimator: nil, taskNames: model.taskNames, scores: model.taskScores))
        if best == .max {
            #expect(throws: AllocationError.self) { try allocator.allocate(epsilon: epsilon) }
            return
        }
        let result = try allocator.allocate(epsilon: epsilon)
        #expect(result.rate == best, "ε \(bound): rate \(result.rate) vs brute force \(best)")
        #expect(result.objective == Double(best))
        #expect(result.taskDistortions[0] <= bound * (1 + 1e-9))
        #expect(result.taskDistortions[3] <= bound * 1.5 * (1 + 1e-9))
    }

    /// Infeasibility is decided exactly: Σ_c ŝ_{t,c} min_b d_c(b) is the least any allocation
    /// reaches (computed here from the table by hand), so that bound is feasible and anything
    /// below it names the task.
    @Test func infeasibleNamesTheTask() throws {
        let model = try miniModel(channels: 6, maxBits: 3)
        let allocator = Allocator(model: model, scores: ImportanceScores(measure: .variance, estimator: nil, taskNames: model.taskNames, scores: model.taskScores))
        var least = 0.0
        for c in 0..<6 { least += model.taskScores[1][c] * model.table.relative[c].min()! }
        let feasible = try allocator.allocate(epsilon: TaskValues([("right", least)]))
        #expect(feasible.taskDistortions[1] <= least * (1 + 1e-9))
        let named = #expect(throws: AllocationError.self) {
            try allocator.allocate(epsilon: TaskValues([("left", 1), ("right", least * (1 - 1e-9))]))
        }
        guard case let .infeasible(task, message)? = named else { Issue.record("expected infeasible, got \(String(describing: named))"); return }
        #expect(task == "right")
        #expect(ParameterError.render(message) { "--" + $0 }.hasPrefix("--epsilon right="))
        #expect(message.contains("infeasible"))
        // A budget that cannot carry a bound that is feasible on its own: GLPK decides.
        let jointly = #expect(throws: AllocationError.self) {
            try allocator.allocate(epsilon: TaskValues([("right", least)]), budget: 0.5)
        }
        guard case let .infeasible(noTask, _)? = jointly else { Issue.record("expected infeasible, got \(String(describing: jointly))"); return }
        #expect(noTask == nil)
        #expect(throws: AllocationError.self) { try allocator.allocate(epsilon: TaskValues([("right", -0.1)])) }
        #expect(throws: AllocationError.self) { try allocator.allocate(epsilon: TaskValues([("nobody", 0.1)])) }
    }
}

@Suite struct TwoLevelTests {
    /// Brute force over every (k, b_lo): the top k channels by a_c (ranked here independently:
    /// by descending a_c, ties to the lower channel) at B bits, the rest at b_lo; the least objective within the
    /// budget. The scheme's choice has that objective, and never beats the budget-form optimum.
    @Test(arguments: [AllocationSolverChoice.exact], [0.0, 0.4, 1.0, 2.0, 2.6, 4.5, 8.0])
    func picksTheBestPair(_ solver: AllocationSolverChoice, budget: Double) throws {
        for measure in [ImportanceMeasure.variance, .l1, .equal] {
            let allocator = try Allocator(bundle: TestBundles.mini, importance: ImportanceOptions(measure: measure), maxBits: 8)
            let model = allocator.model
            for weights in [nil, TaskValues([("right", 1), ("sum_ge_10", 2)])] {
                let a = model.channelWeights(taskWeights: try model.taskWeights(weights))
                let order = Array(a.enumerated()).sorted { ($0.element, -$0.offset) > ($1.element, -$1.offset) }.map(\.offset)
                let limit = Int((budget * 1024).rounded(.down))
                var best = Double.infinity
                for low in 0...4 {
                    for k in 0...32 {
                        var bits = [Int](repeating: low, count: 32)
                        for c in order.prefix(k) { bits[c] = 8 }
                        guard bits.reduce(0, +) * 32 <= limit else { continue }
                        var objective = 0.0
                        for c in 0..<32 { objective += a[c] * model.table.relative[c][bits[c]] }
                        best = min(best, objective)
                    }
                }
                let result = try allocator.twoLevel(budget: budget, weights: weights)
                let choice = try #require(result.twoLevel)
                #expect(result.rate <= limit)
                #expect(relativeDifference(result.objective, best) < 1e-12, "\(measure) budget \(budget): \(result.objective) vs \(best)")
                #expect(result.bits.filter { $0 == 8 }.count >= choice.k)
                let optimum = try allocator.allocate(budget: budget, weights: weights, solver: solver)
                #expect(optimum.objective <= result.objective * (1 + 1e-12))
            }
        }
    }

    @Test func ranksByWeightThenChannel() {
        #expect(AllocationModel.ranking([0.1, 0.3, 0.1, 0.5]) == [3, 1, 0, 2])
    }
}
