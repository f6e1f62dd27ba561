@testable import Allocation
import Basics
import Foundation
import Testing

/// Tables built like subset sum (one bit per channel, cost −S_c, an odd capacity over even sizes,
/// so no subset fills it) defeat the core DP: its Pareto states double with every channel. Before,
/// 40 such channels took 9 GB and aborted, and GLPK went the same way through its objective scale.
@Suite struct BoundedExactSolverTests {
    static func subsetSum(channels: Int, seed: UInt64) throws -> AllocationProblem {
        var random = SeededRandom(seed: seed)
        let sizes = (0..<channels).map { _ in 2 * (100_000 + Int(random.next() % 900_000)) }
        let capacity = (sizes.reduce(0, +) / 2) | 1
        return try AllocationProblem(sizes: sizes, costs: sizes.map { [0, -Double($0)] }, maxRate: Double(capacity))
    }

    /// The LP relaxation of a 0–1 knapsack whose cost is minus its weight fills the capacity
    /// exactly: its optimum is −capacity (hand computation), without any DP.
    @Test func relaxationBoundIsMinusTheCapacity() throws {
        let problem = try Self.subsetSum(channels: 60, seed: 3)
        #expect(ExactSolver.relaxationBound(problem) == -Double(problem.rateCapacity))
        #expect(GLPKSolver.objectiveScale(problem) == Double(problem.rateCapacity))
    }

    @Test func stopsAtTheStateLimitWithTheGreedyAllocationAndTheBound() throws {
        let problem = try Self.subsetSum(channels: 40, seed: 5)
        let solution = try ExactSolver.solve(problem, stateLimit: 10_000)
        #expect(solution.status == .timeLimit)
        #expect(solution.message.contains("exceeded 10000 states"), "\(solution.message)")
        #expect(solution.bits.count == 40 && solution.rate <= problem.rateCapacity)
        #expect(solution.rate == zip(solution.bits, problem.sizes).map { $0 * $1 }.reduce(0, +))
        #expect(solution.lowerBound == -Double(problem.rateCapacity))
        #expect(solution.objective >= solution.lowerBound!)
    }

    @Test func stopsAtTheTimeLimit() throws {
        let problem = try Self.subsetSum(channels: 60, seed: 7)
        let solution = try ExactSolver.solve(problem, timeLimit: 0.2, stateLimit: .max)
        #expect(solution.status == .timeLimit)
        #expect(solution.message.contains("time limit"), "\(solution.message)")
        #expect(solution.rate <= problem.rateCapacity)
    }

    /// Below the limit it is still exact: brute force over all 2^18 subsets.
    @Test func smallSubsetSumStaysExact() throws {
        let problem = try Self.subsetSum(channels: 18, seed: 11)
        var best = 0
        for mask in 0..<(1 << 18) {
            var rate = 0
            for c in 0..<18 where mask & (1 << c) != 0 { rate += problem.sizes[c] }
            if rate <= problem.rateCapacity { best = max(best, rate) }
        }
        let solution = try ExactSolver.solve(problem)
        #expect(solution.status == .optimal)
        #expect(solution.objective == -Double(best))
    }
}
