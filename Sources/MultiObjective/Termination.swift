import Foundation

/// When a run stops: after a number of generations (the initial population is generation 1, so
/// G generations of population P cost P·G evaluations), a number of evaluations, or a wall-clock
/// budget — whichever comes first. Wall time is the only criterion that is not deterministic.
public struct Termination: Sendable, Equatable {
    public var maxGenerations: Int?
    public var maxEvaluations: Int?
    public var maxSeconds: Double?

    public init(maxGenerations: Int? = nil, maxEvaluations: Int? = nil, maxSeconds: Double? = nil) {
        self.maxGenerations = maxGenerations
        self.maxEvaluations = maxEvaluations
        self.maxSeconds = maxSeconds
    }

    public static func generations(_ g: Int) -> Termination { .init(maxGenerations: g) }
    public static func evaluations(_ e: Int) -> Termination { .init(maxEvaluations: e) }
    public static func seconds(_ s: Double) -> Termination { .init(maxSeconds: s) }

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
}
