import Basics
import Foundation

/// Whether a decision variable takes any real value in its bounds or only integers.
public enum VariableKind: String, Codable, Sendable, Equatable {
    case real
    case integer
}

/// The decision space of a problem: one kind and one closed interval `[lower, upper]` per variable.
///
/// Mixed problems (some real, some integer variables) are one space with mixed kinds; operators
/// round integer variables after they move them, so every individual stays inside the space.
public struct VariableSpace: Sendable, Equatable, Codable {
    public let lower: [Double]
    public let upper: [Double]
    public let kinds: [VariableKind]

    public var count: Int { lower.count }
    /// True when at least one variable is an integer (operators then round).
    public let hasIntegers: Bool

    /// Throws `ProblemError.invalidBounds` when a lower bound exceeds its upper bound or a bound is
    /// not finite (a search needs a bounded box to sample from).
    public init(lower: [Double], upper: [Double], kinds: [VariableKind]? = nil) throws {
        guard lower.count == upper.count, lower.count > 0 else {
            throw ProblemError.invalidBounds("need the same positive number of lower and upper bounds (got \(lower.count) and \(upper.count))")
        }
        let kinds = kinds ?? Array(repeating: .real, count: lower.count)
        guard kinds.count == lower.count else {
            throw ProblemError.invalidBounds("\(kinds.count) variable kinds for \(lower.count) variables")
        }
        for i in 0..<lower.count {
            guard lower[i].isFinite, upper[i].isFinite else {
                throw ProblemError.invalidBounds("variable \(i): bounds must be finite (got [\(lower[i]), \(upper[i])])")
            }
            guard lower[i] <= upper[i] else {
                throw ProblemError.invalidBounds("variable \(i): lower bound \(lower[i]) > upper bound \(upper[i])")
            }
            if kinds[i] == .integer, lower[i].rounded(.up) > upper[i].rounded(.down) {
                throw ProblemError.invalidBounds("variable \(i): integer variable has no integer in [\(lower[i]), \(upper[i])]")
            }
        }
        self.lower = lower
        self.upper = upper
        self.kinds = kinds
        self.hasIntegers = kinds.contains(.integer)
    }

    /// `count` real variables, all in `[lower, upper]`.
    public init(realCount count: Int, lower: Double, upper: Double) throws {
        try self.init(lower: Array(repeating: lower, count: count), upper: Array(repeating: upper, count: count))
    }

    /// Moves `x` into the space: clamps to the bounds and rounds integer variables.
    @inline(__always)
    func repair(_ x: UnsafeMutablePointer<Double>) {
        for i in 0..<lower.count {
            var v = x[i]
            if kinds[i] == .integer { v = v.rounded() }
            if v < lower[i] { v = kinds[i] == .integer ? lower[i].rounded(.up) : lower[i] }
            if v > upper[i] { v = kinds[i] == .integer ? upper[i].rounded(.down) : upper[i] }
            x[i] = v
        }
    }

    /// Why the point `x` does not lie in the space (a value not finite, outside its bounds, or
    /// not a whole number for an integer variable), or nil when it does.
    func problem(with x: ArraySlice<Double>) -> String? {
        guard x.count == lower.count else { return "has \(x.count) variables, expected \(lower.count)" }
        for (i, v) in x.enumerated() {
            guard v.isFinite, v >= lower[i], v <= upper[i] else {
                return "variable \(i) is \(v), outside its bounds [\(lower[i]), \(upper[i])]"
            }
            if kinds[i] == .integer && v != v.rounded() { return "variable \(i) is \(v), not a whole number (integer variable)" }
        }
        return nil
    }

    /// A point drawn uniformly from the box (integers uniformly from the integers in range).
    func sample(into x: UnsafeMutablePointer<Double>, random: inout SeededRandom) {
        for i in 0..<lower.count {
            if kinds[i] == .integer {
                let lo = Int(lower[i].rounded(.up)), hi = Int(upper[i].rounded(.down))
                x[i] = Double(random.nextInt(in: lo...hi))
            } else {
                x[i] = lower[i] + random.nextUnit() * (upper[i] - lower[i])
            }
        }
    }
}

/// A problem or its input is unusable; the message says which part and why.
public enum ProblemError: Error, CustomStringConvertible, Equatable {
    case invalidBounds(String)
    case unknownProblem(String)
    case invalidParameter(String)
    case invalidIndividual(String)

    public var description: String {
        switch self {
        case .invalidBounds(let m): return "invalid bounds: \(m)"
        case .unknownProblem(let m): return "unknown problem: \(m)"
        case .invalidParameter(let m): return m
        case .invalidIndividual(let m): return "invalid initial individual: \(m)"
        }
    }
}
