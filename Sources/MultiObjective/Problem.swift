import Foundation

/// A multi-objective problem: minimise `objectiveCount` objectives over a `VariableSpace`,
/// subject to `constraintCount` inequality constraints `g_j(x) ≤ 0`.
///
/// Implementations evaluate one point at a time into caller-owned buffers (no allocation per
/// evaluation); `PopulationEvaluator` evaluates whole populations, optionally on every core.
/// `evaluate` must be a pure function of `x`: that is what makes parallel evaluation give the same
/// results as serial evaluation.
public protocol Problem: Sendable {
    /// Stable name, written in checkpoints (e.g. `zdt1`).
    var name: String { get }
    /// Parameters that distinguish instances of the same name (e.g. `n=30 M=2`), also checked on resume.
    var parameterDescription: String { get }
    var variables: VariableSpace { get }
    var objectiveCount: Int { get }
    var constraintCount: Int { get }
    /// Writes the objectives (and constraint values, ≤ 0 feasible) of the point `x`.
    func evaluate(_ x: UnsafeBufferPointer<Double>, objectives: UnsafeMutableBufferPointer<Double>,
                  constraints: UnsafeMutableBufferPointer<Double>)
}

/// A problem cheaper to evaluate a batch of points at once than one by one (pymoo's vectorised
/// `_evaluate`, which receives the whole population): `PopulationEvaluator` hands it every row
/// to evaluate in one call. Row `r` must get what `evaluate(x_r, …)` would give it.
public protocol BatchEvaluatingProblem: Problem {
    /// Writes the objectives (and constraint values) of rows `rows` of `population`.
    func evaluate(_ population: inout Population, rows: Range<Int>)
}

extension Problem {
    public var constraintCount: Int { 0 }
    public var parameterDescription: String { "n=\(variables.count) M=\(objectiveCount)" }

    /// Convenience for tests and scripts: evaluates one point, returns (objectives, constraints).
    public func evaluate(_ x: [Double]) -> (objectives: [Double], constraints: [Double]) {
        var f = [Double](repeating: 0, count: objectiveCount)
        var g = [Double](repeating: 0, count: constraintCount)
        x.withUnsafeBufferPointer { xp in
            f.withUnsafeMutableBufferPointer { fp in
                g.withUnsafeMutableBufferPointer { gp in evaluate(xp, objectives: fp, constraints: gp) }
            }
        }
        return (f, g)
    }
}
