import Allocation
import ArgumentParser
import Basics
import Experiments
import FeatureData
import Foundation
import Importance

// Typed arguments: each value is parsed once, into the library's own type, where ArgumentParser
// reads it; the library's parse errors are shown under the flag's name.

extension ImportanceMeasure: ExpressibleByArgument {}
extension MIEstimatorKind: ExpressibleByArgument {}
extension ChannelReduction: ExpressibleByArgument {}
extension ImportanceTarget: ExpressibleByArgument {}
extension Split: ExpressibleByArgument {}
extension AllocationSolverChoice: ExpressibleByArgument {}

/// A library parse error, as ArgumentParser shows it behind "The value 'x' is invalid for
/// '--flag <value>': ".
struct ArgumentReason: Error, CustomStringConvertible {
    var description: String
}

/// `parse` as an ArgumentParser `transform:`, its errors reduced to their reason.
func argument<T>(_ parse: @escaping @Sendable (String) throws(ParameterError) -> T) -> @Sendable (String) throws -> T {
    { text in
        do throws(ParameterError) { return try parse(text) } catch {
            throw ArgumentReason(description: ParameterError.render(error.reason, flag: Flags.name))
        }
    }
}

/// Runs a library check inside `validate()`: its error becomes an argument error under the flag names.
func validating(_ check: () throws -> Void) throws {
    do { try check() } catch let error as any ParameterNamingError {
        throw ValidationError(error.message(flag: Flags.name))
    }
}

/// Parsers of the list arguments (`--measures mi,l1`, `--methods`, `--budgets a:step:b`, …).
enum ArgumentList {
    /// Known measure names, repeats dropped, order kept (the order breaks ties where a command
    /// compares measures).
    static func measures(_ text: String) throws(ParameterError) -> [ImportanceMeasure] {
        var out: [ImportanceMeasure] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let m = ImportanceMeasure(rawValue: name) else {
                throw ParameterError("measures", "unknown measure \"\(name)\" (known: \(ImportanceMeasure.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if !out.contains(m) { out.append(m) }
        }
        guard !out.isEmpty else { throw ParameterError("measures", "give at least one measure") }
        return out
    }

    static func names(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static let weights = argument { text throws(ParameterError) in try TaskValues.parse(text, parameter: "weights") }
    static let epsilon = argument { text throws(ParameterError) in try TaskValues.parse(text, parameter: "epsilon") }
}

/// `HxW`, e.g. `2x2`.
extension PatchSize {
    static func parse(_ text: String) throws(ParameterError) -> PatchSize {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let h = Int(parts[0]), let w = Int(parts[1]), h >= 1, w >= 1 else {
            throw ParameterError("patch", "\"\(text)\" is not HxW with positive integers (e.g. 2x2)")
        }
        return PatchSize(height: h, width: w)
    }
}
