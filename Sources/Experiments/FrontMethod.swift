import Basics
import Foundation
import Importance

/// One method of `mipareto front` (docs/architecture.md, "Method names for front").
public enum FrontMethod: Sendable, Hashable {
    /// Budget sweep of the budget-form integer program (exact solver) with this measure's scores.
    case ilp(ImportanceMeasure)
    /// Per budget, the best top-k-at-max-bits / rest-at-b_lo pair of the two-level scheme.
    case twoLevel(ImportanceMeasure)
    /// Hard selection as a front: top k channels (equal-weight ranking) at max bits, the rest
    /// dropped, k = 1…C.
    case select(ImportanceMeasure)
    /// The same depth on every channel, 0…max bits.
    case uniform
    /// NSGA-II on true metrics over the `search` split; its answer is the archive of every
    /// allocation it scored (seeds included), re-scored on `report`.
    case nsga2
    /// NSGA-III (reference directions sized to the population) on the same problem, archived
    /// the same way: crowding distance fails with the 1 + T objectives of several tasks.
    case nsga3

    public var name: String {
        switch self {
        case .ilp(let m): return "ilp-\(m.rawValue)"
        case .twoLevel(let m): return "twolevel-\(m.rawValue)"
        case .select(let m): return "select-\(m.rawValue)"
        case .uniform: return "uniform"
        case .nsga2: return "nsga2"
        case .nsga3: return "nsga3"
        }
    }

    /// The importance measure the method ranks channels by, if any.
    public var measure: ImportanceMeasure? {
        switch self {
        case .ilp(let m), .twoLevel(let m), .select(let m): return m
        case .uniform, .nsga2, .nsga3: return nil
        }
    }

    /// Whether the method is an evolutionary search on the true metrics (`nsga2`, `nsga3`).
    public var isSearch: Bool { self == .nsga2 || self == .nsga3 }

    /// Whether the method sweeps `budgets` (`ilp-*`, `twolevel-*`).
    public var isSweep: Bool {
        switch self {
        case .ilp, .twoLevel: return true
        case .select, .uniform, .nsga2, .nsga3: return false
        }
    }

    /// Whether the method's allocations change with the run's seed: NSGA-II always; the others
    /// only through a seeded measure (`random`, and MI's tie-breaking noise).
    public var usesSeed: Bool {
        switch self {
        case .nsga2, .nsga3: return true
        case .uniform: return false
        case .ilp(let m), .twoLevel(let m), .select(let m): return Self.measureUsesSeed(m)
        }
    }

    public static func measureUsesSeed(_ m: ImportanceMeasure) -> Bool { m == .random || m == .mi }

    /// Every valid name, for error messages and `--help`.
    public static var validNames: [String] {
        let measures = ImportanceMeasure.allCases.map(\.rawValue)
        return measures.map { "ilp-\($0)" } + measures.map { "twolevel-\($0)" } + measures.map { "select-\($0)" } + ["uniform", "nsga2", "nsga3"]
    }

    /// Parses one name; nil when it is not a method.
    public init?(name: String) {
        switch name {
        case "uniform": self = .uniform; return
        case "nsga2": self = .nsga2; return
        case "nsga3": self = .nsga3; return
        default: break
        }
        for (prefix, make) in [("ilp-", FrontMethod.ilp), ("twolevel-", FrontMethod.twoLevel), ("select-", FrontMethod.select)] as [(String, (ImportanceMeasure) -> FrontMethod)] {
            if name.hasPrefix(prefix), let m = ImportanceMeasure(rawValue: String(name.dropFirst(prefix.count))) {
                self = make(m)
                return
            }
        }
        return nil
    }

    /// Parses a comma-separated list (duplicates once, order kept); an unknown name or an empty
    /// list is invalid input naming the valid names.
    public static func parseList(_ text: String) throws(ParameterError) -> [FrontMethod] {
        var methods: [FrontMethod] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            guard let method = FrontMethod(name: name) else {
                throw ParameterError("methods", "unknown method \"\(name)\"; valid: ilp-<measure>, twolevel-<measure>, select-<measure> (measures: \(ImportanceMeasure.allCases.map(\.rawValue).joined(separator: ", "))), uniform, nsga2, nsga3")
            }
            if !methods.contains(method) { methods.append(method) }
        }
        guard !methods.isEmpty else { throw ParameterError("methods", "give at least one method, e.g. ilp-mi,uniform") }
        return methods
    }
}
