import Foundation
import MultiObjective

/// The ZDT problems (Zitzler, Deb & Thiele 2000), two objectives, as defined in pymoo.
/// Defaults (docs/cli.md, `nsga2`): n = 30 for ZDT1–3, n = 10 for ZDT4 and ZDT6.
public struct ZDT: KnownFrontProblem {
    public enum Variant: Int, Sendable, CaseIterable { case zdt1 = 1, zdt2 = 2, zdt3 = 3, zdt4 = 4, zdt6 = 6 }

    public let variant: Variant
    public let variables: VariableSpace
    public var objectiveCount: Int { 2 }
    public var name: String { "zdt\(variant.rawValue)" }

    public static func defaultVariableCount(_ v: Variant) -> Int { v == .zdt4 || v == .zdt6 ? 10 : 30 }

    public init(_ variant: Variant, variableCount: Int? = nil) throws {
        let n = variableCount ?? ZDT.defaultVariableCount(variant)
        guard n >= 2, n <= TestProblems.maximumVariables else {
            throw ProblemError.invalidParameter("variables: zdt\(variant.rawValue) takes 2…\(TestProblems.maximumVariables) variables (got \(n))")
        }
        self.variant = variant
        if variant == .zdt4 {
            variables = try VariableSpace(lower: [0] + Array(repeating: -5, count: n - 1),
                                          upper: [1] + Array(repeating: 5, count: n - 1))
        } else {
            variables = try VariableSpace(realCount: n, lower: 0, upper: 1)
        }
    }

    public func evaluate(_ x: UnsafeBufferPointer<Double>, objectives f: UnsafeMutableBufferPointer<Double>,
                         constraints: UnsafeMutableBufferPointer<Double>) {
        let n = x.count
        switch variant {
        case .zdt1, .zdt2, .zdt3:
            var s = 0.0
            for i in 1..<n { s += x[i] }
            let g = 1 + 9 * s / Double(n - 1)
            let f1 = x[0]
            f[0] = f1
            let r = f1 / g
            switch variant {
            case .zdt1: f[1] = g * (1 - r.squareRoot())
            case .zdt2: f[1] = g * (1 - r * r)
            default: f[1] = g * (1 - r.squareRoot() - r * sin(10 * Double.pi * f1))
            }
        case .zdt4:
            var s = 0.0
            for i in 1..<n { s += x[i] * x[i] - 10 * cos(4 * Double.pi * x[i]) }
            let g = 1 + 10 * Double(n - 1) + s
            f[0] = x[0]
            f[1] = g * (1 - (x[0] / g).squareRoot())
        case .zdt6:
            let f1 = 1 - exp(-4 * x[0]) * pow(sin(6 * Double.pi * x[0]), 6)
            var s = 0.0
            for i in 1..<n { s += x[i] }
            let g = 1 + 9 * pow(s / Double(n - 1), 0.25)
            f[0] = f1
            f[1] = g * (1 - (f1 / g) * (f1 / g))
        }
    }

    public func trueFront() -> [[Double]] {
        switch variant {
        case .zdt1, .zdt4: return linspace(0, 1, 1000).map { [$0, 1 - $0.squareRoot()] }
        case .zdt2: return linspace(0, 1, 1000).map { [$0, 1 - $0 * $0] }
        case .zdt3:
            let dense = linspace(0, 1, 200_001).map { [$0, 1 - $0.squareRoot() - $0 * sin(10 * Double.pi * $0)] }
            return thin(sortedNonDominated(dense), to: 1000)
        case .zdt6:
            // f1 = 1 − e^{−4x} sin⁶(6πx) reaches its minimum 0.2807753191… at x ≈ 0.0821.
            let f1min = 0.28077531910398
            return linspace(f1min, 1, 1000).map { [$0, 1 - $0 * $0] }
        }
    }

    /// ZDT1–3 use (1.1, 1.1) as the project and the Python peers do (for ZDT3 that is the box corner of
    /// f1, f2 ∈ [0, 1] + 0.1, not the front's nadir f1 ≈ 0.852); ZDT4 and ZDT6 the nadir + 0.1.
    public var referencePoint: [Double] {
        switch variant {
        case .zdt1, .zdt2, .zdt3, .zdt4: return [1.1, 1.1]
        case .zdt6: return ZDT.nadirPlusOneTenth(trueFront())
        }
    }
}
