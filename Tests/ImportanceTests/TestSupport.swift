import Basics
import Foundation
import MultiObjective

/// Formula-built data that the Python side can rebuild exactly (see the comments at each use).
enum Formula {
    static let n = 1500
    static var classes: [Int] { (0..<n).map { ($0 * 7) % 5 } }
    static var x1: [Double] { (0..<n).map { i in
        let t: Double = sin(1.3 * Double(i))
        return t + 0.4 * Double((i * 7) % 5)
    } }
    /// cos(0.37·i² mod 97): 1243 distinct values, so ties.
    static var x2: [Double] { (0..<n).map { i in
        let a: Double = 0.37 * Double(i) * Double(i)
        return cos(a.truncatingRemainder(dividingBy: 97))
    } }
    /// post-ReLU: 46.4% exact zeros.
    static var x3: [Double] { (0..<n).map { i in
        let t: Double = sin(2.1 * Double(i)) + 0.3 * Double((i * 7) % 5)
        return max(0, t - 0.5)
    } }
    static var continuousTarget: [Double] { (0..<n).map { i in
        let s: Double = sin(1.3 * Double(i))
        return s * s * s + 0.3 * cos(0.11 * Double(i))
    } }
}

/// Gaussian draws from the project's generator.
func normals(_ count: Int, _ random: inout SeededRandom) -> [Double] {
    (0..<count).map { _ in random.nextNormal() }
}

/// Spearman rank correlation (average ranks for ties), written here as an independent check.
func spearman(_ a: [Double], _ b: [Double]) -> Double {
    func ranks(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] }
        var r = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            let avg = Double(i + j) / 2 + 1
            for t in i...j { r[order[t]] = avg }
            i = j + 1
        }
        return r
    }
    let ra = ranks(a), rb = ranks(b)
    let ma = ra.reduce(0, +) / Double(ra.count), mb = rb.reduce(0, +) / Double(rb.count)
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for i in ra.indices {
        sab += (ra[i] - ma) * (rb[i] - mb)
        saa += (ra[i] - ma) * (ra[i] - ma)
        sbb += (rb[i] - mb) * (rb[i] - mb)
    }
    return sab / (saa * sbb).squareRoot()
}

/// True MI (nats) between X and a uniform class Y when X | Y=c ~ N(means[c], 1), optionally
/// passed through a ReLU (X = max(0, Z)), by trapezoid quadrature — independent of any estimator.
///   continuous: I = h(X) − ½ ln(2πe)
///   ReLU:       I = Σ_c p_c [ P0_c ln(P0_c / P0) + ∫_0^∞ f_c ln(f_c / f) dz ]
func quadratureMI(means: [Double], relu: Bool = false) -> Double {
    let k = Double(means.count)
    let lo = (relu ? 0 : means.min()! - 12), hi = means.max()! + 12
    let steps = 200_000
    let h = (hi - lo) / Double(steps)
    func pdf(_ z: Double, _ m: Double) -> Double { exp(-0.5 * (z - m) * (z - m)) / (2 * Double.pi).squareRoot() }
    func cdf0(_ m: Double) -> Double { 0.5 * erfc(m / 2.0.squareRoot()) }  // P(Z ≤ 0) for Z ~ N(m, 1)
    var total = 0.0
    for s in 0...steps {
        let z = lo + Double(s) * h
        let w = (s == 0 || s == steps) ? 0.5 : 1.0
        let fs = means.map { pdf(z, $0) }
        let f = fs.reduce(0, +) / k
        var term = 0.0
        for fc in fs where fc > 0 { term += fc / k * log(fc / f) }
        total += w * term * h
    }
    if relu {
        let p0s = means.map(cdf0)
        let p0 = p0s.reduce(0, +) / k
        for p in p0s where p > 0 { total += p / k * log(p / p0) }
    }
    return total
}

enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mini = repository.appendingPathComponent("examples/data/digits-pair-mini")
    static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
    static let full = shared.appendingPathComponent("data/digits-pair")
}
