/// The budget form over measured costs: minimise `Σ_c cost_c(b_c)` under the same rate limit as
/// `budgetProblem`, for objectives that are not scores × distortion (`ilp-sensitivity`'s losses
/// measured per channel and depth). Same solvers, same rate rule.
extension AllocationModel {
    /// - Parameter costs: `costs[c][b]` for every channel and depth `0…maxBits`.
    public func costTableProblem(budget: Double, costs: [[Double]]) throws(AllocationError) -> AllocationProblem {
        precondition(costs.count == channels && costs.allSatisfy { $0.count == maxBits + 1 }, "one cost per channel and depth 0…maxBits")
        let rateLimit = try maxRate(budget: budget)
        do { return try AllocationProblem(sizes: sizes, costs: costs, maxRate: rateLimit, constraints: []) } catch {
            throw .invalidInput(error.message)
        }
    }

    /// The exact solution of `costTableProblem` (its depths).
    public func allocate(budget: Double, costs: [[Double]]) throws(AllocationError) -> AllocationSolution {
        let problem = try costTableProblem(budget: budget, costs: costs)
        let solution: AllocationSolution
        do { solution = try ExactSolver.solve(problem) } catch { throw .invalidInput(error.message) }
        try Allocator.requireAllocation(solution)
        return solution
    }
}
