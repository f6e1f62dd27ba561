/// How a solve ended.
public enum SolveStatus: String, Sendable, Equatable {
    /// Proven optimal.
    case optimal
    /// A feasible allocation, not proven optimal (stopped at a MIP gap).
    case feasible
    /// No allocation satisfies every constraint.
    case infeasible
    /// The time limit ran out; `bits` holds the best allocation found, or is empty if none was.
    case timeLimit
    /// The solver failed (a GLPK error); `message` says why.
    case error
}

/// The answer of a solver, in the terms of `AllocationProblem`.
public struct AllocationSolution: Sendable, Equatable {
    public var status: SolveStatus
    /// Bit depth per channel; empty when there is no allocation.
    public var bits: [Int]
    /// `Σ_c costs[c][b_c]` recomputed from `bits` (NaN when there is none).
    public var objective: Double
    /// `Σ_c b_c·S_c` in bits (0 when there is no allocation).
    public var rate: Int
    /// A proven lower bound on the optimum, when the solver gives one.
    public var lowerBound: Double?
    /// Wall time of the solve itself (no parsing or printing).
    public var seconds: Double
    /// The solver's name: `exact` or `glpk`.
    public var solver: String
    /// A short note (GLPK's message on errors).
    public var message: String

    public var optimal: Bool { status == .optimal }
    public var hasAllocation: Bool { !bits.isEmpty }

    public init(status: SolveStatus, bits: [Int], objective: Double, rate: Int, lowerBound: Double?,
                seconds: Double, solver: String, message: String) {
        self.status = status
        self.bits = bits
        self.objective = objective
        self.rate = rate
        self.lowerBound = lowerBound
        self.seconds = seconds
        self.solver = solver
        self.message = message
    }
}
