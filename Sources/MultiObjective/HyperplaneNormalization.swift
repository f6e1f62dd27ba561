import Foundation

/// The normalisation of NSGA-III (Deb & Jain 2014, §IV-C) as pymoo 0.6.2's
/// `HyperplaneNormalization`: the ideal point (best value seen in each objective), the extreme
/// points (per axis, the point minimising the achievement scalarising function with weights 1 on
/// that axis and 10⁶ elsewhere, chosen among the previous extremes and the current first front),
/// and the intercepts of the hyperplane through the extremes as the nadir estimate, with pymoo's
/// fallbacks: a singular or inaccurate system, or an intercept ≤ 10⁻⁶, falls back to the worst of
/// the first front; an intercept beyond the worst point seen is cut to it; an objective whose
/// range stays ≤ 10⁻⁶ takes the worst of the population.
///
/// What carries over between generations (the ideal point, the worst point, the extreme points)
/// is the survival memory: `[ideal (M), worst (M), extremes (M × M, row per axis)]`, empty before
/// the first update.
struct HyperplaneNormalization {
    let m: Int
    var ideal: [Double]
    var worst: [Double]
    /// Row-major M × M, or empty before the first update.
    var extremes: [Double]
    /// The nadir estimate of the last update.
    var nadir: [Double]

    init(objectiveCount m: Int, memory: [Double]) {
        self.m = m
        if memory.count == 2 * m + m * m {
            ideal = Array(memory[0..<m])
            worst = Array(memory[m..<(2 * m)])
            extremes = Array(memory[(2 * m)...])
        } else {
            ideal = Array(repeating: .infinity, count: m)
            worst = Array(repeating: -.infinity, count: m)
            extremes = []
        }
        nadir = worst
    }

    var memory: [Double] { extremes.isEmpty ? [] : ideal + worst + extremes }

    static func memoryProblem(_ memory: [Double], objectiveCount m: Int) -> String? {
        if memory.isEmpty { return nil }
        guard memory.count == 2 * m + m * m else {
            return "expected \(2 * m + m * m) numbers (ideal, worst and \(m) extreme points of \(m) objectives), got \(memory.count)"
        }
        guard memory.allSatisfy(\.isFinite) else { return "numbers must be finite" }
        for j in 0..<m where memory[j] > memory[m + j] {
            return "ideal point exceeds the worst point in objective \(j)"
        }
        return nil
    }

    /// Updates from `f` (`n` rows of M objectives, all the feasible candidates) whose first front
    /// is `front` (row indices).
    mutating func update(_ f: UnsafeBufferPointer<Double>, count n: Int, front: [Int]) {
        var worstOfPopulation = Array(repeating: -Double.infinity, count: m)
        for i in 0..<n {
            for j in 0..<m {
                let v = f[i * m + j]
                ideal[j] = min(ideal[j], v)
                worst[j] = max(worst[j], v)
                worstOfPopulation[j] = max(worstOfPopulation[j], v)
            }
        }
        var worstOfFront = Array(repeating: -Double.infinity, count: m)
        for i in front { for j in 0..<m { worstOfFront[j] = max(worstOfFront[j], f[i * m + j]) } }

        // Extreme points: candidates are the previous extremes, then the first front.
        var candidates = extremes
        candidates.reserveCapacity(extremes.count + front.count * m)
        for i in front { for j in 0..<m { candidates.append(f[i * m + j]) } }
        let candidateCount = candidates.count / m
        var chosen = [Double](repeating: 0, count: m * m)
        for axis in 0..<m {
            var best = Double.infinity, bestRow = 0
            for k in 0..<candidateCount {
                var asf = -Double.infinity
                for j in 0..<m {
                    var d = candidates[k * m + j] - ideal[j]
                    if d < 1e-3 { d = 0 }
                    asf = max(asf, j == axis ? d : d * 1e6)
                }
                if asf < best { best = asf; bestRow = k }
            }
            for j in 0..<m { chosen[axis * m + j] = candidates[bestRow * m + j] }
        }
        extremes = chosen
        nadir = nadirEstimate(worstOfFront: worstOfFront, worstOfPopulation: worstOfPopulation)
    }

    private func nadirEstimate(worstOfFront: [Double], worstOfPopulation: [Double]) -> [Double] {
        // Hyperplane through the extremes, relative to the ideal point: (E − ideal) · plane = 1.
        var a = [Double](repeating: 0, count: m * m)
        for i in 0..<m { for j in 0..<m { a[i * m + j] = extremes[i * m + j] - ideal[j] } }
        var nadir: [Double]
        if let plane = Self.solve(a, ones: m), Self.reproducesOnes(a, plane, m) {
            let intercepts = plane.map { 1 / $0 }
            if intercepts.contains(where: { $0 <= 1e-6 }) {
                nadir = worstOfFront
            } else {
                nadir = (0..<m).map { ideal[$0] + intercepts[$0] }
                // Never beyond the worst point seen (pymoo's departure from the paper).
                for j in 0..<m where nadir[j] > worst[j] { nadir[j] = worst[j] }
            }
        } else {
            nadir = worstOfFront
        }
        for j in 0..<m where nadir[j] - ideal[j] <= 1e-6 { nadir[j] = worstOfPopulation[j] }
        return nadir
    }

    /// Solves A x = 1 by Gaussian elimination with partial pivoting (LAPACK's `gesv`, which
    /// `numpy.linalg.solve` calls); nil when a pivot is exactly zero (singular).
    static func solve(_ matrix: [Double], ones m: Int) -> [Double]? {
        var a = matrix
        var b = [Double](repeating: 1, count: m)
        for col in 0..<m {
            var pivot = col
            for r in (col + 1)..<max(m, col + 1) where abs(a[r * m + col]) > abs(a[pivot * m + col]) { pivot = r }
            guard a[pivot * m + col] != 0, a[pivot * m + col].isFinite else { return nil }
            if pivot != col {
                for j in 0..<m { a.swapAt(col * m + j, pivot * m + j) }
                b.swapAt(col, pivot)
            }
            for r in (col + 1)..<max(m, col + 1) {
                let factor = a[r * m + col] / a[col * m + col]
                guard factor != 0 else { continue }
                for j in col..<m { a[r * m + j] -= factor * a[col * m + j] }
                b[r] -= factor * b[col]
            }
        }
        var x = [Double](repeating: 0, count: m)
        for r in stride(from: m - 1, through: 0, by: -1) {
            var s = b[r]
            for j in (r + 1)..<max(m, r + 1) { s -= a[r * m + j] * x[j] }
            x[r] = s / a[r * m + r]
        }
        return x
    }

    /// numpy's `allclose(A x, 1)`: |A x − 1| ≤ 1e-8 + 1e-5 in every row (false on NaN).
    static func reproducesOnes(_ a: [Double], _ x: [Double], _ m: Int) -> Bool {
        for i in 0..<m {
            var s = 0.0
            for j in 0..<m { s += a[i * m + j] * x[j] }
            guard abs(s - 1) <= 1e-8 + 1e-5 else { return false }
        }
        return true
    }
}
