/// The digamma function ψ at positive integers, the only arguments the k-NN estimators need
/// (neighbour counts, class sizes, sample counts).
///
/// ψ(1) = −γ and ψ(n + 1) = ψ(n) + 1/n, so a table of partial harmonic sums gives every value
/// up to `limit` exactly to rounding, and one table serves every feature of a run.
public struct DigammaTable: Sendable {
    public static let eulerMascheroni = 0.577_215_664_901_532_860_6

    /// values[n] = ψ(n) for n = 1…limit; values[0] = −∞ (ψ has a pole at 0).
    public let values: [Double]

    public init(limit: Int) {
        let top = max(limit, 1)
        var v = [Double](repeating: 0, count: top + 1)
        v[0] = -.infinity
        v[1] = -DigammaTable.eulerMascheroni
        if top >= 2 {
            for n in 2...top { v[n] = v[n - 1] + 1.0 / Double(n - 1) }
        }
        values = v
    }

    @inline(__always)
    public subscript(n: Int) -> Double { values[n] }
}
