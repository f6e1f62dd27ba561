import Foundation

/// How far a run has come: what a termination criterion looks at.
public struct AlgorithmProgress: Sendable, Equatable {
    /// Generations done (the initial population is generation 1).
    public var generation: Int
    public var evaluations: Int
    /// Wall-clock seconds since `run(until:)` started.
    public var elapsedSeconds: Double

    public init(generation: Int, evaluations: Int, elapsedSeconds: Double) {
        self.generation = generation
        self.evaluations = evaluations
        self.elapsedSeconds = elapsedSeconds
    }
}

/// When a run stops (pymoo's `Termination`). Mutating, so a criterion may keep history (e.g. a
/// tolerance on the change of the front over the last generations).
public protocol TerminationCriterion {
    /// True when the run should stop before doing another generation.
    mutating func isReached(_ progress: AlgorithmProgress) -> Bool
}

/// The default criterion: after a number of generations (the initial population is generation 1,
/// so G generations of population P cost P·G evaluations), a number of evaluations, or a
/// wall-clock budget — whichever comes first. Wall time is the only criterion that is not
/// deterministic.
public struct Termination: TerminationCriterion, Sendable, Equatable {
    public var maxGenerations: Int?
    public var maxEvaluations: Int?
    public var maxSeconds: Double?

    public init(maxGenerations: Int? = nil, maxEvaluations: Int? = nil, maxSeconds: Double? = nil) {
        self.maxGenerations = maxGenerations
        self.maxEvaluations = maxEvaluations
        self.maxSeconds = maxSeconds
    }

    /// True when no criterion is set: such a termination stops at once rather than never.
    public var isEmpty: Bool { maxGenerations == nil && maxEvaluations == nil && maxSeconds == nil }

    /// True when the run should stop before doing another generation (always, if `isEmpty`).
    public func isReached(generation: Int, evaluations: Int, elapsedSeconds: Double) -> Bool {
        if isEmpty { return true }
        if let g = maxGenerations, generation >= g { return true }
        if let e = maxEvaluations, evaluations >= e { return true }
        if let s = maxSeconds, elapsedSeconds >= s { return true }
        return false
    }

    public func isReached(_ progress: AlgorithmProgress) -> Bool {
        isReached(generation: progress.generation, evaluations: progress.evaluations, elapsedSeconds: progress.elapsedSeconds)
    }
}

extension TerminationCriterion where Self == Termination {
    /// `.generations(g)`, `.evaluations(e)`, `.seconds(s)` wherever a criterion (or a
    /// `Termination`) is expected.
    public static func generations(_ g: Int) -> Termination { .init(maxGenerations: g) }
    public static func evaluations(_ e: Int) -> Termination { .init(maxEvaluations: e) }
    public static func seconds(_ s: Double) -> Termination { .init(maxSeconds: s) }
}
