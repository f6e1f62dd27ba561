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
        let inverse = 1 / (eta + 1)
        space.lower.withUnsafeBufferPointer { lower in
            space.upper.withUnsafeBufferPointer { upper in
                for i in 0..<n {
                    guard random.nextUnit() < p else { continue }
                    let xl = lower[i], xu = upper[i]
                    guard xl < xu else { continue }
                    let v = x[i], width = xu - xl
                    let u = random.nextUnit()
                    let deltaQ: Double
                    if u <= 0.5 {
                        let xy = 1 - (v - xl) / width
                        let value = 2 * u + (1 - 2 * u) * powerEtaPlusOne(xy, eta: eta)
                        deltaQ = exp(log(value) * inverse) - 1
                    } else {
                        let xy = 1 - (xu - v) / width
                        let value = 2 * (1 - u) + 2 * (u - 0.5) * powerEtaPlusOne(xy, eta: eta)
                        deltaQ = 1 - exp(log(value) * inverse)
                    }
                    x[i] = min(max(v + deltaQ * width, xl), xu)
                }
            }
        }
        if space.hasIntegers { space.repair(x) }
    }
}
