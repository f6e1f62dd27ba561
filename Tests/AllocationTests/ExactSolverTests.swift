@testable import Allocation
import Basics
import MultiObjective
import Foundation
import Testing

@Suite struct ExactSolverTests {
    /// Hand computation: sizes [1, 2], costs [[3,2,1],[5,1,0.5]], R = 3. Allocations within
    /// rate 3: (0,0)=8, (1,0)=7, (2,0)=6, (0,1)=4, (1,1)=3 → the optimum is (1,1), objective 3.
    @Test func handComputedSmallProblem() throws {
        let problem = try AllocationProblem(sizes: [1, 2], costs: [[3, 2, 1], [5, 1, 0.5]], maxRate: 3)
        let solution = try ExactSolver.solve(problem)
        #expect(solution.bits == [1, 1])
        #expect(solution.objective == 3)
        #expect(solution.rate == 3)
        #expect(solution.status == .optimal)
    }

    /// Equal sizes and convex costs: the optimum is reverse water-filling. Four channels with
    /// costs v·4^(−b), v = 8, 4, 2, 1, 16 bits of budget at size 1 and B = 8: the greedy by marginal
    /// gain (exact here) gives 5, 4, 4, 3 bits; objective 8/1024 + 4/256 + 2/256 + 1/64 = 0.046875.
    @Test func waterFillingClosedForm() throws {
        let variances = [8.0, 4, 2, 1]
        let costs = variances.map { v in (0...8).map { v * pow(4, -Double($0)) } }
        let solution = try ExactSolver.solve(AllocationProblem(sizes: [1, 1, 1, 1], costs: costs, maxRate: 16))
        #expect(solution.bits == [5, 4, 4, 3])
        #expect(abs(solution.objective - 0.046875) < 1e-15)
    }

    @Test func equalsBruteForceOnSmallRandomInstances() throws {
        var rng = SeededRandom(seed: 20261124)
        var checked = 0
        for shape in RandomInstances.CostShape.allCases {
            for _ in 0..<200 {
                let channels = 1 + rng.nextInt(below: 6)
                let maxBits = rng.nextInt(below: 5)
                let problem = RandomInstances.budgetProblem(channels: channels, maxBits: maxBits, shape: shape, rng: &rng)
                let reference = try #require(RandomInstances.bruteForce(problem))
                let solution = try ExactSolver.solve(problem)
                #expect(solution.status == .optimal)
                #expect(problem.isFeasible(solution.bits), "infeasible answer for \(problem)")
                #expect(Double(solution.rate) <= problem.maxRate)
                #expect(RandomInstances.relativeDifference(solution.objective, reference.objective) <= 1e-12,
                        "exact \(solution.objective) vs brute force \(reference.objective) for \(problem)")
                #expect(solution.lowerBound! <= reference.objective + 1e-12 * max(1, abs(reference.objective)))
                checked += 1
            }
        }
        #expect(checked == 600)
    }

    /// Larger than the test above but still enumerable (B = 2, C = 10: 59049 allocations).
    @Test func equalsBruteForceOnTenChannels() throws {
        var rng = SeededRandom(seed: 7)
        for shape in RandomInstances.CostShape.allCases {
            for _ in 0..<10 {
                let problem = RandomInstances.budgetProblem(channels: 10, maxBits: 2, shape: shape, rng: &rng)
                let reference = try #require(RandomInstances.bruteForce(problem))
                let solution = try ExactSolver.solve(problem)
                #expect(RandomInstances.relativeDifference(solution.objective, reference.objective) <= 1e-12)
                #expect(problem.isFeasible(solution.bits))
            }
        }
    }

    /// Identical channels tie everywhere: every channel lands in the DP core.
    @Test func identicalChannelsEqualBruteForce() throws {
        let row = (0...3).map { pow(2, -2 * Double($0)) }
        let sizes = [1, 3, 3, 7, 1, 2, 5]
        let full = sizes.reduce(0, +) * 3
        for maxRate in 0...full {
            let problem = try AllocationProblem(sizes: sizes, costs: Array(repeating: row, count: sizes.count), maxRate: Double(maxRate))
            let reference = try #require(RandomInstances.bruteForce(problem))
            let solution = try ExactSolver.solve(problem)
            #expect(RandomInstances.relativeDifference(solution.objective, reference.objective) <= 1e-12, "maxRate \(maxRate)")
            #expect(solution.rate <= maxRate)
        }
    }

    @Test func edgeCases() throws {
        // No rate: every channel at 0 bits.
        let none = try ExactSolver.solve(AllocationProblem(sizes: [3, 4], costs: [[1, 0.5], [2, 0.1]], maxRate: 0))
        #expect(none.bits == [0, 0] && none.objective == 3 && none.rate == 0)
        // B = 0: one choice.
        let single = try ExactSolver.solve(AllocationProblem(sizes: [3], costs: [[1.5]], maxRate: 100))
        #expect(single.bits == [0] && single.objective == 1.5)
        // Rate to spare and costs rising after 1 bit: the cheapest depth, not the deepest.
        let spare = try ExactSolver.solve(AllocationProblem(sizes: [2], costs: [[4, 1, 2, 3]], maxRate: 1e9))
        #expect(spare.bits == [1] && spare.objective == 1)
        // A fractional limit: rates are integers, so 5.9 allows 5.
        let fractional = try ExactSolver.solve(AllocationProblem(sizes: [5, 1], costs: [[10, 0], [1, 0]], maxRate: 5.9))
        #expect(fractional.bits == [1, 0] && fractional.rate == 5)
    }

    @Test func refusesExtraRows() throws {
        let problem = try AllocationProblem(sizes: [1], costs: [[1, 0]], maxRate: 1,
                                            constraints: [.init(costs: [[0, 1]], max: 1)])
        #expect(throws: AllocationInputError.self) { try ExactSolver.solve(problem) }
    }
}
