import Foundation
import MultiObjective

/// The benchmark problems by name: `zdt1`…`zdt4`, `zdt6`, `dtlz1`…`dtlz7`.
public enum TestProblems {
    public static let names = ["zdt1", "zdt2", "zdt3", "zdt4", "zdt6",
                               "dtlz1", "dtlz2", "dtlz3", "dtlz4", "dtlz5", "dtlz6", "dtlz7"]

    /// The most decision variables a catalogue problem takes (a bound on what a population of
    /// them allocates).
    public static let maximumVariables = 100_000

    /// The problem `name` with `variables` decision variables and `objectives` objectives (nil:
    /// the defaults: ZDT1–3 n = 30, ZDT4/6 n = 10; DTLZ M = 3, n = M + k − 1). Throws
    /// `ProblemError.unknownProblem`, or `.invalidParameter` naming `objectives` or `variables`.
    public static func make(_ name: String, variables: Int? = nil, objectives: Int? = nil) throws -> any KnownFrontProblem {
        let key = name.lowercased()
        if key.hasPrefix("zdt"), let id = Int(key.dropFirst(3)), let variant = ZDT.Variant(rawValue: id) {
            if let m = objectives, m != 2 {
                throw ProblemError.invalidParameter("objectives: \(key) has 2 objectives (got \(m))")
            }
            return try ZDT(variant, variableCount: variables)
        }
        if key.hasPrefix("dtlz"), let id = Int(key.dropFirst(4)), (1...7).contains(id) {
            return try DTLZ(id, objectives: objectives ?? 3, variableCount: variables)
        }
        throw ProblemError.unknownProblem("'\(name)' (known: \(names.joined(separator: ", ")))")
    }
}
