import Foundation

/// Polynomial mutation (Deb & Goyal 1996) in the bounded form of Deb's NSGA-II code, as pymoo's
/// `PM`: each variable mutates with probability `variableProbability` (nil: min(0.5, 1/n), pymoo's
/// default), by a perturbation whose spread shrinks with η_m and near the bounds. Integer variables
/// are rounded after the move.
public struct PolynomialMutation: MutationOperator {
    /// Distribution index η_m.
    public var eta: Double
    public var variableProbability: Double?

    public init(eta: Double = 20, variableProbability: Double? = nil) {
        self.eta = eta
        self.variableProbability = variableProbability
    }

    public func mutate(_ x: UnsafeMutablePointer<Double>, space: VariableSpace, random: inout SeededRandom) {
        let n = space.count
        let p = variableProbability ?? min(0.5, 1 / Double(n))
        let k = eta + 1
        let whole = k == k.rounded() && k >= 1 && k <= 64 ? Int(k) : 0
        let roots = WholeRoot(max(whole, 1))
        @inline(__always) func power(_ x: Double) -> Double { whole > 0 ? integerPower(x, whole) : pow(x, k) }
        @inline(__always) func root(_ x: Double) -> Double { whole > 0 ? roots.root(x) : pow(x, 1 / k) }
        space.lower.withUnsafeBufferPointer { lower in
            space.upper.withUnsafeBufferPointer { upper in
                // Which variables mutate: Bernoulli(p) each, drawn as geometric gaps between
                // mutated variables (one draw per mutation instead of one per variable).
                let logMiss = log1p(-p)
                var i = -1
                while true {
                    if p >= 1 { i += 1 } else if p <= 0 { break } else {
                        let gap = (log(1 - random.nextUnit()) / logMiss).rounded(.down)
                        guard gap < Double(n - i - 1) else { break }
                        i += 1 + Int(gap)
                    }
                    if i >= n { break }
                    let xl = lower[i], xu = upper[i]
                    guard xl < xu else { continue }
                    let v = x[i], width = xu - xl
                    let u = random.nextUnit()
                    let deltaQ: Double
                    if u <= 0.5 {
                        let xy = 1 - (v - xl) / width
                        let value = 2 * u + (1 - 2 * u) * power(xy)
                        deltaQ = root(value) - 1
                    } else {
                        let xy = 1 - (xu - v) / width
                        let value = 2 * (1 - u) + 2 * (u - 0.5) * power(xy)
                        deltaQ = 1 - root(value)
                    }
                    x[i] = min(max(v + deltaQ * width, xl), xu)
                }
            }
        }
        if space.hasIntegers { space.repair(x) }
    }
}
