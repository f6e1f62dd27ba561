@testable import Allocation
import Basics
import CGLPKGuard
import Dispatch
import MultiObjective
import Testing

@Suite struct GLPKSolverTests {
    @Test func handComputedSmallProblem() throws {
        let problem = try AllocationProblem(sizes: [1, 2], costs: [[3, 2, 1], [5, 1, 0.5]], maxRate: 3)
        let solution = GLPKSolver().solve(problem)
        #expect(solution.status == .optimal)
        #expect(solution.bits == [1, 1])
        #expect(solution.objective == 3)
    }

    /// GLPK (branch and cut, its own tolerances) and the exact solver on the same instances.
    @Test(arguments: [true, false]) func equalsExactSolverOnRandomInstances(presolve: Bool) throws {
        var rng = SeededRandom(seed: presolve ? 11 : 12)
        let solver = GLPKSolver(presolve: presolve)
        var compared = 0
        for shape in RandomInstances.CostShape.allCases {
            for _ in 0..<(presolve ? 100 : 34) {
                let channels = 4 + rng.nextInt(below: 60)
                let maxBits = 1 + rng.nextInt(below: 8)
                let problem = RandomInstances.budgetProblem(channels: channels, maxBits: maxBits, shape: shape, rng: &rng)
                let exact = try ExactSolver.solve(problem)
                let glpk = solver.solve(problem)
                #expect(glpk.status == .optimal, "GLPK: \(glpk.message)")
                #expect(problem.isFeasible(glpk.bits) && problem.isFeasible(exact.bits))
                // GLPK's answer is a feasible allocation, so the proven optimum is never worse.
                #expect(exact.objective <= glpk.objective + 1e-12 * abs(glpk.objective))
                #expect(RandomInstances.relativeDifference(exact.objective, glpk.objective) <= 1e-6,
                        "exact \(exact.objective) glpk \(glpk.objective)")
                compared += 1
            }
        }
        #expect(compared == (presolve ? 300 : 102))
    }

    /// Several knapsack rows (the ε form's shape) against brute force, infeasible ones included.
    @Test func multiRowProblemsEqualBruteForce() throws {
        var rng = SeededRandom(seed: 99)
        var infeasible = 0, feasible = 0
        for _ in 0..<200 {
            let channels = 1 + rng.nextInt(below: 5)
            let maxBits = 1 + rng.nextInt(below: 3)
            let sizes = RandomInstances.sizes(channels: channels, rng: &rng)
            let costs = RandomInstances.costs(channels: channels, maxBits: maxBits, shape: .distortion, rng: &rng)
            let rows = (0..<(1 + rng.nextInt(below: 3))).map { _ in
                let table = RandomInstances.costs(channels: channels, maxBits: maxBits, shape: .decreasing, rng: &rng)
                let smallest = table.reduce(0) { $0 + $1.min()! }, largest = table.reduce(0) { $0 + $1.max()! }
                // From slightly below the smallest reachable sum (infeasible) to the largest.
                return AllocationProblem.Constraint(costs: table, max: smallest + (largest - smallest) * (1.05 * rng.nextUnit() - 0.05))
            }
            let full = Double(sizes.reduce(0, +) * maxBits)
            let problem = try AllocationProblem(sizes: sizes, costs: costs, maxRate: (full * (0.3 + 0.7 * rng.nextUnit())).rounded(), constraints: rows)
            let solution = GLPKSolver().solve(problem)
            if let reference = RandomInstances.bruteForce(problem) {
                feasible += 1
                #expect(solution.status == .optimal, "\(solution.message)")
                #expect(problem.isFeasible(solution.bits))
                #expect(RandomInstances.relativeDifference(solution.objective, reference.objective) <= 1e-6)
            } else {
                infeasible += 1
                #expect(solution.status == .infeasible)
                #expect(solution.bits.isEmpty && solution.objective.isNaN)
            }
        }
        #expect(infeasible > 10 && feasible > 100)
    }

    @Test func infeasibleRowIsReported() throws {
        // Each channel's row cost is at least 1, two channels: the row sum is ≥ 2 > 1.5.
        let problem = try AllocationProblem(sizes: [1, 1], costs: [[1, 0], [1, 0]], maxRate: 2,
                                            constraints: [.init(costs: [[1, 2], [1, 2]], max: 1.5)])
        let solution = GLPKSolver().solve(problem)
        #expect(solution.status == .infeasible)
        #expect(!solution.optimal)
    }

    /// A GLPK error (row index 6 in a 2-row problem) comes back as a status and GLPK's message,
    /// the process does not abort, and later solves on the same thread are right again.
    @Test func forcedGLPKErrorIsCaughtAndSolvingGoesOn() throws {
        let problem = try AllocationProblem(sizes: [1, 2], costs: [[3, 2, 1], [5, 1, 0.5]], maxRate: 3)
        let before = cglpk_caught_errors()
        for round in 0..<3 {
            let options = cglpk_options(time_limit_seconds: 0, mip_gap: 0, presolve: Int32(round % 2))
            let broken = GLPKSolver.solveRaw(
                rows: 2, columns: 2, rowKind: [Int32(CGLPK_ROW_UPPER), Int32(CGLPK_ROW_UPPER)],
                rowLower: [0, 0], rowUpper: [1, 1], columnKind: [Int32(CGLPK_COL_BINARY), Int32(CGLPK_COL_BINARY)],
                objective: [-1, -1], entryRow: [0, 5], entryColumn: [0, 1], entryValue: [1, 1], options: options)
            #expect(broken.status == CGLPK_STATUS_ERROR)
            #expect(broken.message.contains("out of range"), "message: \(broken.message)")
            let solution = GLPKSolver().solve(problem)
            #expect(solution.status == .optimal && solution.bits == [1, 1] && solution.objective == 3)
        }
        #expect(cglpk_caught_errors() - before == 3)
    }

    /// Each solve owns its GLPK problem on its own thread: concurrent solves agree with the
    /// exact solver.
    @Test func concurrentSolvesAgree() throws {
        var rng = SeededRandom(seed: 5)
        let problems = (0..<16).map { _ in RandomInstances.budgetProblem(channels: 40, maxBits: 8, shape: .distortion, rng: &rng) }
        let exact = try problems.map { try ExactSolver.solve($0).objective }
        // Each iteration writes its own slot.
        final class Slots: @unchecked Sendable {
            let values: UnsafeMutableBufferPointer<Double>
            init(_ n: Int) { values = .allocate(capacity: n); values.initialize(repeating: .nan) }
            deinit { values.deallocate() }
        }
        let slots = Slots(problems.count)
        DispatchQueue.concurrentPerform(iterations: problems.count) { i in
            slots.values[i] = GLPKSolver().solve(problems[i]).objective
        }
        let results = Array(slots.values)
        for i in problems.indices {
            #expect(RandomInstances.relativeDifference(exact[i], results[i]) <= 1e-6)
        }
    }

    @Test func timeLimitStatusIsMapped() throws {
        // A tiny limit on a problem GLPK needs a while for: either it finished (optimal) or the
        // status says the limit ran out; never an error.
        var rng = SeededRandom(seed: 3)
        let problem = RandomInstances.budgetProblem(channels: 3000, maxBits: 8, shape: .distortion, rng: &rng)
        let solution = GLPKSolver(timeLimit: 0.001, presolve: false).solve(problem)
        #expect(solution.status == .timeLimit || solution.status == .optimal, "\(solution.status): \(solution.message)")
        if solution.status == .timeLimit && solution.hasAllocation { #expect(problem.isFeasible(solution.bits)) }
    }
}
