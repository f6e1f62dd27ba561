import Basics
import Foundation

/// Simulated binary crossover (Deb & Agrawal 1995) with the bounded spread of Deb's NSGA-II code,
/// as pymoo's `SBX`: each variable is recombined with probability `variableProbability`, the two
/// children get spread factors from the distance of the parents to the lower and the upper bound,
/// and with probability `exchangeProbability` the children swap that variable. Variables whose
/// parents are (nearly) equal are left alone. Integer variables are rounded ("rounded SBX").
public struct SimulatedBinaryCrossover: CrossoverOperator {
    public static let kind = "simulatedBinary"
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

    public func validate() throws {
        try checkProbability(probability, "crossover probability")
        try checkDistributionIndex(eta, "crossover eta")
        try checkProbability(variableProbability, "crossover variable probability")
        try checkProbability(exchangeProbability, "crossover exchange probability")
    }

    public func cross(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                      into c1: UnsafeMutablePointer<Double>, _ c2: UnsafeMutablePointer<Double>,
                      space: VariableSpace, random: inout SeededRandom) {
        let n = space.count
        let k = eta + 1
        let whole = k == k.rounded() && k >= 1 && k <= 64 ? Int(k) : 0
        let roots = WholeRoot(max(whole, 1))
        let vp = variableProbability, xp = exchangeProbability
        // First pass: pick the variables to recombine (copying the parents meanwhile); then the
        // arithmetic on the picked ones only, without data-dependent branches.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { picked in
            var count = 0
            space.lower.withUnsafeBufferPointer { lower in
                space.upper.withUnsafeBufferPointer { upper in
                    // With probability ½ (pymoo's default) a coin is one random bit: `nextUnit() < ½`
                    // is the top bit of a draw anyway, so 64 variables share one draw.
                    let halves = vp == 0.5
                    var bits: UInt64 = 0
                    for i in 0..<n {
                        let xa = a[i], xb = b[i]
                        c1[i] = xa
                        c2[i] = xb
                        let coin: Int
                        if halves {
                            if i & 63 == 0 { bits = random.next() }
                            coin = Int(truncatingIfNeeded: bits & 1)
                            bits >>= 1
                        } else {
                            coin = random.nextUnit() < vp ? 1 : 0
                        }
                        let take = coin & (abs(xa - xb) > 1e-14 ? 1 : 0) & (lower[i] < upper[i] ? 1 : 0)
                        picked[count] = i
                        count += take
                    }
                    if whole > 0 {
                        crossWholeIndex(a, b, c1, c2, lower.baseAddress!, upper.baseAddress!, picked.baseAddress!, count,
                                       roots: roots, exchange: xp, random: &random)
                        return
                    }
                    for t in 0..<count {
                        let i = picked[t]
                        let xa = a[i], xb = b[i], xl = lower[i], xu = upper[i]
                        let y1 = min(xa, xb), y2 = max(xa, xb)
                        let delta = y2 - y1, inverseDelta = 1 / delta
                        let u = random.nextUnit()
                        let swapChildren = random.nextUnit() < xp
                        let q1 = spread(u: u, beta: 1 + 2 * (y1 - xl) * inverseDelta, k: k)
                        let q2 = spread(u: u, beta: 1 + 2 * (xu - y2) * inverseDelta, k: k)
                        let low = min(max(0.5 * ((y1 + y2) - q1 * delta), xl), xu)
                        let high = min(max(0.5 * ((y1 + y2) + q2 * delta), xl), xu)
                        // Children follow their parents' side unless exchanged.
                        let aLow = (xa <= xb) != swapChildren
                        c1[i] = aLow ? low : high
                        c2[i] = aLow ? high : low
                    }
                }
            }
        }
        if space.hasIntegers {
            space.repair(c1)
            space.repair(c2)
        }
    }

    /// The recombination of the picked variables for a whole-number η + 1 = k. Spread factor of the
    /// child on the side with room β (pymoo's calc_betaq): α = 2 − β^−k; β_q = (uα)^(1/k) if
    /// uα ≤ 1, else (2 − uα)^(−1/k). Done in short passes over the picked variables (arguments,
    /// single-precision roots, one Newton step blending both cases, children), so no pass has a long
    /// dependency chain or a coin-flip branch and the CPU works on several variables at once.
    @inline(__always)
    private func crossWholeIndex(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                                _ c1: UnsafeMutablePointer<Double>, _ c2: UnsafeMutablePointer<Double>,
                                _ lower: UnsafePointer<Double>, _ upper: UnsafePointer<Double>,
                                _ picked: UnsafePointer<Int>, _ count: Int,
                                roots: WholeRoot, exchange: Double, random: inout SeededRandom) {
        guard count > 0 else { return }
        let k = roots.k
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 6 * count) { buffer in
            let z = buffer.baseAddress!, q = z + 2 * count
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: count) { flags in
                let swapped = flags.baseAddress!
                // `upward` is 1 where the root is z^(1/k) and 0 where it is z^(−1/k): kept as a number
                // so the passes below blend instead of branching on a coin flip.
                let upward = q + 2 * count
                // Arguments: uα if uα ≤ 1, else 2 − uα, per side.
                for t in 0..<count {
                    let i = picked[t]
                    let xa = a[i], xb = b[i]
                    let y1 = min(xa, xb), y2 = max(xa, xb)
                    let inverseDelta = 1 / (y2 - y1)
                    let u = random.nextUnit()
                    swapped[t] = random.nextUnit() < exchange
                    let p1 = integerPower(1 + 2 * (y1 - lower[i]) * inverseDelta, k)
                    let p2 = integerPower(1 + 2 * (upper[i] - y2) * inverseDelta, k)
                    // One division for both reciprocals (1/p1 = p2/(p1·p2)) unless the product overflows.
                    let both = p1 * p2
                    let r1: Double, r2: Double
                    if both < .greatestFiniteMagnitude { let inv = 1 / both; r1 = p2 * inv; r2 = p1 * inv } else { r1 = 1 / p1; r2 = 1 / p2 }
                    let ua1 = u * (2 - r1), ua2 = u * (2 - r2)
                    upward[2 * t] = ua1 <= 1 ? 1 : 0
                    upward[2 * t + 1] = ua2 <= 1 ? 1 : 0
                    z[2 * t] = ua1 <= 1 ? ua1 : 2 - ua1
                    z[2 * t + 1] = ua2 <= 1 ? ua2 : 2 - ua2
                }
                // Single-precision estimates of z^(±1/k).
                let inverseK = Float(1) / Float(k)
                for j in 0..<(2 * count) {
                    let s = inverseK * Float(2 * upward[j] - 1)
                    q[j] = Double(expf(logf(Float(max(z[j], 1e-30))) * s))
                }
                // One Newton step in double precision: y^k = z (upward) or y^−k = z, both computed
                // and blended.
                let kd = Double(k), invK = 1 / kd
                var tiny = false
                for j in 0..<(2 * count) {
                    let y = q[j], p = integerPower(y, k), x = z[j], up = upward[j]
                    let factor = up * (kd - 1 + x / p) + (1 - up) * (kd + 1 - x * p)
                    q[j] = y * factor * invK
                    tiny = tiny || x <= 1e-30
                }
                // A draw u below 1e-30 (about never) is outside the single-precision range.
                if tiny {
                    for j in 0..<(2 * count) where z[j] <= 1e-30 { q[j] = upward[j] == 1 ? pow(z[j], invK) : pow(z[j], -invK) }
                }
                for t in 0..<count {
                    let i = picked[t]
                    let xa = a[i], xb = b[i], xl = lower[i], xu = upper[i]
                    let y1 = min(xa, xb), y2 = max(xa, xb), delta = y2 - y1
                    let low = min(max(0.5 * ((y1 + y2) - q[2 * t] * delta), xl), xu)
                    let high = min(max(0.5 * ((y1 + y2) + q[2 * t + 1] * delta), xl), xu)
                    // Children follow their parents' side unless exchanged.
                    let aLow = (xa <= xb) != swapped[t]
                    c1[i] = aLow ? low : high
                    c2[i] = aLow ? high : low
                }
            }
        }
    }

    /// β_q for a fractional η (the general, slower path).
    @inline(__always)
    private func spread(u: Double, beta: Double, k: Double) -> Double {
        let ua = u * (2 - pow(beta, -k))
        return ua <= 1 ? pow(ua, 1 / k) : pow(2 - ua, -1 / k)
    }
}
