import Foundation

/// Simulated binary crossover (Deb & Agrawal 1995) with the bounded spread of Deb's NSGA-II code,
/// as pymoo's `SBX`: each variable is recombined with probability `variableProbability`, the two
/// children get spread factors from the distance of the parents to the lower and the upper bound,
/// and with probability `exchangeProbability` the children swap that variable. Variables whose
/// parents are (nearly) equal are left alone. Integer variables are rounded ("rounded SBX").
public struct SimulatedBinaryCrossover: CrossoverOperator {
    public var probability: Double
    /// Distribution index η_c: larger keeps children closer to their parents.
    public var eta: Double
    public var variableProbability: Double
    public var exchangeProbability: Double

    public init(probability: Double = 0.9, eta: Double = 20, variableProbability: Double = 0.5,
                exchangeProbability: Double = 0.5) {
        self.probability = probability
        self.eta = eta
        self.variableProbability = variableProbability
        self.exchangeProbability = exchangeProbability
    }

    public func cross(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                      into c1: UnsafeMutablePointer<Double>, _ c2: UnsafeMutablePointer<Double>,
                      space: VariableSpace, random: inout SeededRandom) {
        let n = space.count
        let inverse = 1 / (eta + 1)
        space.lower.withUnsafeBufferPointer { lower in
            space.upper.withUnsafeBufferPointer { upper in
                for i in 0..<n {
                    let xa = a[i], xb = b[i]
                    c1[i] = xa
                    c2[i] = xb
                    guard random.nextUnit() < variableProbability else { continue }
                    let xl = lower[i], xu = upper[i]
                    guard abs(xa - xb) > 1e-14, xl < xu else { continue }
                    let y1 = min(xa, xb), y2 = max(xa, xb)
                    let delta = y2 - y1
                    let u = random.nextUnit()

                    @inline(__always) func root(_ x: Double) -> Double { exp(log(x) * inverse) }
                    @inline(__always) func betaQ(_ beta: Double) -> Double {
                        let alpha = 2 - 1 / powerEtaPlusOne(beta, eta: eta)
                        return u <= 1 / alpha ? root(u * alpha) : root(1 / (2 - u * alpha))
                    }
                    var low = 0.5 * ((y1 + y2) - betaQ(1 + 2 * (y1 - xl) / delta) * delta)
                    var high = 0.5 * ((y1 + y2) + betaQ(1 + 2 * (xu - y2) / delta) * delta)
                    low = min(max(low, xl), xu)
                    high = min(max(high, xl), xu)
                    // Children follow their parents' side unless exchanged.
                    var first = xa <= xb ? low : high, second = xa <= xb ? high : low
                    if random.nextUnit() < exchangeProbability { swap(&first, &second) }
                    c1[i] = first
                    c2[i] = second
                }
            }
        }
        if space.hasIntegers {
            space.repair(c1)
            space.repair(c2)
        }
    }
}
