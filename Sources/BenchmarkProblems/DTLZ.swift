import Basics
import Foundation
import MultiObjective

/// The DTLZ problems (Deb, Thiele, Laumanns & Zitzler 2002), scalable in objectives, as defined in
/// pymoo. Defaults (docs/cli.md, `nsga2`): M = 3, n = M + k − 1 with k = 5 (DTLZ1), 10 (DTLZ2–6), 20 (DTLZ7).
public struct DTLZ: KnownFrontProblem {
    public let variant: Int
    public let objectiveCount: Int
    public let variables: VariableSpace
    public var name: String { "dtlz\(variant)" }

    public static func defaultK(_ variant: Int) -> Int { variant == 1 ? 5 : (variant == 7 ? 20 : 10) }

    /// The most objectives accepted. The catalogue is for checking optimisers, and beyond 15 the
    /// exact hypervolume of a front (exponential in M) and the true-front samples stop being
    /// affordable; 62 objectives once took 7.6 GB.
    public static let maximumObjectives = 15

    /// Throws `ProblemError.invalidParameter` naming `objectives` or `variables` when out of range
    /// (2…`maximumObjectives` objectives, M…`TestProblems.maximumVariables` variables).
    public init(_ variant: Int, objectives m: Int = 3, variableCount: Int? = nil) throws {
        guard (1...7).contains(variant) else { throw ProblemError.unknownProblem("dtlz\(variant)") }
        guard (2...DTLZ.maximumObjectives).contains(m) else {
            throw ProblemError.invalidParameter("objectives: dtlz\(variant) takes 2…\(DTLZ.maximumObjectives) objectives (got \(m))")
        }
        let n = variableCount ?? (m + DTLZ.defaultK(variant) - 1)
        guard n >= m, n <= TestProblems.maximumVariables else {
            throw ProblemError.invalidParameter("variables: dtlz\(variant) with \(m) objectives takes \(m)…\(TestProblems.maximumVariables) variables (got \(n))")
        }
        self.variant = variant
        objectiveCount = m
        variables = try VariableSpace(realCount: n, lower: 0, upper: 1)
    }

    public func evaluate(_ x: UnsafeBufferPointer<Double>, objectives f: UnsafeMutableBufferPointer<Double>,
                         constraints: UnsafeMutableBufferPointer<Double>) {
        let m = objectiveCount, n = x.count
        let first = m - 1   // x[0..<first] position the point on the front; the rest set g
        var g = 0.0
        switch variant {
        case 1, 3:
            var s = 0.0
            for i in first..<n { let d = x[i] - 0.5; s += d * d - cos(20 * Double.pi * d) }
            g = 100 * (Double(n - first) + s)
        case 2, 4, 5:
            for i in first..<n { let d = x[i] - 0.5; g += d * d }
        case 6:
            for i in first..<n { g += pow(x[i], 0.1) }
        default:
            var s = 0.0
            for i in first..<n { s += x[i] }
            g = 1 + 9 / Double(n - first) * s
        }
        switch variant {
        case 1:
            for i in 0..<m {
                var v = 0.5 * (1 + g)
                for j in 0..<(first - i) { v *= x[j] }
                if i > 0 { v *= 1 - x[first - i] }
                f[i] = v
            }
        case 2, 3, 4:
            let alpha = variant == 4 ? 100.0 : 1.0
            sphere(f, m: m, g: g) { j in alpha == 1 ? x[j] : pow(x[j], alpha) }
        case 5, 6:
            let scale = 1 / (2 * (1 + g))
            sphere(f, m: m, g: g) { j in j == 0 ? x[0] : scale * (1 + 2 * g * x[j]) }
        default:
            var h = Double(m)
            for i in 0..<first {
                f[i] = x[i]
                h -= x[i] / (1 + g) * (1 + sin(3 * Double.pi * x[i]))
            }
            f[m - 1] = (1 + g) * h
        }
    }

    /// f_i = (1+g) Π_{j < M−1−i} cos(θ_j π/2) · sin(θ_{M−1−i} π/2) (no sine for i = 0).
    @inline(__always)
    private func sphere(_ f: UnsafeMutableBufferPointer<Double>, m: Int, g: Double, theta: (Int) -> Double) {
        let first = m - 1
        for i in 0..<m {
            var v = 1 + g
            for j in 0..<(first - i) { v *= cos(theta(j) * Double.pi / 2) }
            if i > 0 { v *= sin(theta(first - i) * Double.pi / 2) }
            f[i] = v
        }
    }

    public func trueFront() -> [[Double]] {
        let m = objectiveCount
        switch variant {
        case 1:
            return DasDennis.points(dimension: m, partitions: DasDennis.partitions(forAtLeast: 1000, dimension: m))
                .map { $0.map { 0.5 * $0 } }
        case 2, 3, 4:
            // Das–Dennis lattice projected onto the unit sphere (44 partitions, 1 035 points for M = 3).
            return DasDennis.points(dimension: m, partitions: DasDennis.partitions(forAtLeast: 1000, dimension: m))
                .map { w in let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot(); return w.map { $0 / norm } }
        case 5, 6:
            // The front is a curve: x_0 ∈ [0, 1], every other angle π/4 (g = 0).
            return linspace(0, 1, 1000).map { t in
                var x = [Double](repeating: 0.5, count: variables.count)
                x[0] = t
                for i in (m - 1)..<x.count { x[i] = variant == 5 ? 0.5 : 0 }
                return evaluate(x).objectives
            }
        default:
            // Disconnected: sample (f_1 … f_{M−1}) on a grid with g at its minimum, keep the
            // non-dominated points, thin to about 1 000.
            let perAxis = max(2, Int(pow(90_000.0, 1 / Double(m - 1))))
            let axis = linspace(0, 1, perAxis)
            var points: [[Double]] = []
            var index = [Int](repeating: 0, count: m - 1)
            while true {
                var x = [Double](repeating: 0, count: variables.count)
                for i in 0..<(m - 1) { x[i] = axis[index[i]] }
                points.append(evaluate(x).objectives)
                var k = 0
                while k < m - 1 { index[k] += 1; if index[k] < perAxis { break }; index[k] = 0; k += 1 }
                if k == m - 1 { break }
            }
            return thin(sortedNonDominated(points), to: 1000)
        }
    }

    public var referencePoint: [Double] {
        switch variant {
        case 1: return Array(repeating: 0.6, count: objectiveCount)
        case 2, 3, 4: return Array(repeating: 1.1, count: objectiveCount)
        default: return DTLZ.nadirPlusOneTenth(trueFront())
        }
    }
}
