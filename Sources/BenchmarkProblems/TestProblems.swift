import Foundation
import MultiObjective

/// The benchmark problems by name: `zdt1`…`zdt4`, `zdt6`, `dtlz1`…`dtlz7`.
public enum TestProblems {
    public static let names = ["zdt1", "zdt2", "zdt3", "zdt4", "zdt6",
                               "dtlz1", "dtlz2", "dtlz3", "dtlz4", "dtlz5", "dtlz6", "dtlz7"]

    /// The problem `name` with `variables` decision variables and `objectives` objectives (nil:
    /// the defaults of docs/architecture.md). Throws on an unknown name or parameters the problem cannot take.
    public static func make(_ name: String, variables: Int? = nil, objectives: Int? = nil) throws -> any KnownFrontProblem {
        let key = name.lowercased()
        if key.hasPrefix("zdt"), let id = Int(key.dropFirst(3)), let variant = ZDT.Variant(rawValue: id) {
            if let m = objectives, m != 2 {
                throw ProblemError.invalidParameter("\(key) has 2 objectives (got --objectives \(m))")
            }
            return try ZDT(variant, variableCount: variables)
        }
        if key.hasPrefix("dtlz"), let id = Int(key.dropFirst(4)), (1...7).contains(id) {
            return try DTLZ(id, objectives: objectives ?? 3, variableCount: variables)
        }
        throw ProblemError.unknownProblem("'\(name)' (known: \(names.joined(separator: ", ")))")
    }
}
