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
        // x^(η+1) and x^(1/(η+1)): whole-number fast paths decided once per call.
        let k = eta + 1
        let whole = k == k.rounded() && k >= 1 && k <= 64 ? Int(k) : 0
        @inline(__always) func power(_ x: Double) -> Double { whole > 0 ? integerPower(x, whole) : pow(x, k) }
        @inline(__always) func root(_ x: Double) -> Double { whole > 0 ? wholeRoot(x, whole) : pow(x, 1 / k) }
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
                    let delta = y2 - y1, inverseDelta = 1 / delta
                    let u = random.nextUnit()

                    // Spread factor for a child on the side with room `beta` (pymoo's calc_betaq);
                    // `u ≤ 1/α` is tested as `u·α ≤ 1` to save a division on this hot path.
                    @inline(__always) func betaQ(_ beta: Double) -> Double {
                        let alpha = 2 - 1 / power(beta)
                        let ua = u * alpha
                        return ua <= 1 ? root(ua) : root(1 / (2 - ua))
                    }
                    var low = 0.5 * ((y1 + y2) - betaQ(1 + 2 * (y1 - xl) * inverseDelta) * delta)
                    var high = 0.5 * ((y1 + y2) + betaQ(1 + 2 * (xu - y2) * inverseDelta) * delta)
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
