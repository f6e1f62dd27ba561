import Basics
import Foundation

/// Polynomial mutation (Deb & Goyal 1996) in the bounded form of Deb's NSGA-II code, as pymoo's
/// `PM`: each variable mutates with probability `variableProbability` (nil: min(0.5, 1/n), pymoo's
/// default), by a perturbation whose spread shrinks with η_m and near the bounds. Integer variables
/// are rounded after the move. An individual is mutated at all with `probability` (pymoo's `prob`:
/// 1 as NSGA-II runs it here, 0.9 in pymoo's `PM()` default that NSGA-III uses); at 1 no coin is drawn.
public struct PolynomialMutation: MutationOperator {
    public static let kind = "polynomial"
    /// Distribution index η_m.
    public var eta: Double
    public var variableProbability: Double?
    /// Probability that an individual is mutated at all.
    public var probability: Double

    public init(eta: Double = 20, variableProbability: Double? = nil, probability: Double = 1) {
        self.eta = eta
        self.variableProbability = variableProbability
        self.probability = probability
    }

    private enum CodingKeys: String, CodingKey { case eta, variableProbability, probability }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        eta = try c.decode(Double.self, forKey: .eta)
        variableProbability = try c.decodeIfPresent(Double.self, forKey: .variableProbability)
        // Version-1 checkpoints predate the individual probability: they mutated every child.
        probability = try c.decodeIfPresent(Double.self, forKey: .probability) ?? 1
    }

    public func validate() throws {
        try checkDistributionIndex(eta, "mutation eta")
        if let p = variableProbability { try checkProbability(p, "mutation variable probability") }
        try checkProbability(probability, "mutation probability")
    }

    /// Whether this individual is left alone (one coin, only when `probability` < 1).
    @inline(__always)
    func skips(_ random: inout SeededRandom) -> Bool {
        probability < 1 && !(random.nextUnit() <= probability)
    }

    /// Unprepared use (a single call outside NSGA-II): coin flips drawn as geometric gaps.
    public func mutate(_ x: UnsafeMutablePointer<Double>, space: VariableSpace, random: inout SeededRandom) {
        if skips(&random) { return }
        let n = space.count
        let p = variableProbability ?? min(0.5, 1 / Double(n))
        let k = eta + 1
        let whole = k == k.rounded() && k >= 1 && k <= 64 ? Int(k) : 0
        let roots = WholeRoot(max(whole, 1))
        space.lower.withUnsafeBufferPointer { lower in
            space.upper.withUnsafeBufferPointer { upper in
                // Bernoulli(p) per variable, drawn as geometric gaps between mutated variables.
                let logMiss = log1p(-p)
                var i = -1
                while true {
                    if p >= 1 { i += 1 } else if p <= 0 { break } else {
                        let gap = (log(1 - random.nextUnit()) / logMiss).rounded(.down)
                        guard gap < Double(n - i - 1) else { break }
                        i += 1 + Int(gap)
                    }
                    if i >= n { break }
                    PolynomialMutation.move(x, i, lower: lower[i], upper: upper[i], u: random.nextUnit(),
                                            whole: whole, roots: roots, eta: eta)
                }
            }
        }
        if space.hasIntegers { space.repair(x) }
    }

    public func prepared(for space: VariableSpace) -> any MutationOperator {
        PreparedPolynomialMutation(self, variableCount: space.count)
    }

    /// Moves variable `i` (pymoo's `mut_pm` for one variable).
    @inline(__always)
    static func move(_ x: UnsafeMutablePointer<Double>, _ i: Int, lower xl: Double, upper xu: Double, u: Double,
                     whole: Int, roots: WholeRoot, eta: Double) {
        guard xl < xu else { return }
        let k = eta + 1
        @inline(__always) func power(_ v: Double) -> Double { whole > 0 ? integerPower(v, whole) : pow(v, k) }
        @inline(__always) func root(_ v: Double) -> Double { whole > 0 ? roots.root(v) : pow(v, 1 / k) }
        let v = x[i], width = xu - xl
        let deltaQ: Double
        if u <= 0.5 {
            let xy = 1 - (v - xl) / width
            deltaQ = root(2 * u + (1 - 2 * u) * power(xy)) - 1
        } else {
            let xy = 1 - (xu - v) / width
            deltaQ = 1 - root(2 * (1 - u) + 2 * (u - 0.5) * power(xy))
        }
        x[i] = min(max(v + deltaQ * width, xl), xu)
    }
}

/// Polynomial mutation prepared for a variable count: which variables mutate is drawn as "how
/// many" from the Binomial(n, p) distribution (a precomputed table, one uniform) and then "which"
/// uniformly without replacement — the same distribution as n independent coin flips, without a
/// random draw or logarithm per variable. Used when few variables mutate on average (n·p ≤ 8).
struct PreparedPolynomialMutation: MutationOperator {
    /// Never written to a checkpoint (settings hold the unprepared `PolynomialMutation`).
    static let kind = "preparedPolynomial"
    let base: PolynomialMutation
    let probability: Double
    /// P(at most m variables mutate), m = 0…; the last entry is 1. Empty: flip a coin per variable.
    let cumulative: [Double]
    let roots: WholeRoot
    let whole: Int

    init(_ base: PolynomialMutation, variableCount n: Int) {
        self.base = base
        let p = base.variableProbability ?? min(0.5, 1 / Double(n))
        probability = p
        let k = base.eta + 1
        whole = k == k.rounded() && k >= 1 && k <= 64 ? Int(k) : 0
        roots = WholeRoot(max(whole, 1))
        var table: [Double] = []
        if p > 0 && p < 1 && Double(n) * p <= 8 {
            var pmf = pow(1 - p, Double(n)), total = 0.0
            for m in 0..<n {
                total += pmf
                table.append(total)
                pmf *= Double(n - m) / Double(m + 1) * p / (1 - p)
                if 1 - total < 1e-17 { break }
            }
            table.append(1)
        }
        cumulative = table
    }

    func mutate(_ x: UnsafeMutablePointer<Double>, space: VariableSpace, random: inout SeededRandom) {
        if base.skips(&random) { return }
        let n = space.count, eta = base.eta, whole = self.whole, roots = self.roots
        space.lower.withUnsafeBufferPointer { lower in
            space.upper.withUnsafeBufferPointer { upper in
                guard !cumulative.isEmpty else {
                    for i in 0..<n where random.nextUnit() < probability {
                        PolynomialMutation.move(x, i, lower: lower[i], upper: upper[i], u: random.nextUnit(), whole: whole, roots: roots, eta: eta)
                    }
                    return
                }
                let draw = random.nextUnit()
                var m = 0
                while draw >= cumulative[m] { m += 1 }
                guard m > 0 else { return }
                // Floyd's sampling of m distinct indices out of n.
                withUnsafeTemporaryAllocation(of: Int.self, capacity: m) { chosen in
                    var c = 0
                    for j in (n - m)..<n {
                        let t = random.nextInt(below: j + 1)
                        var taken = false
                        for q in 0..<c where chosen[q] == t { taken = true; break }
                        chosen[c] = taken ? j : t
                        c += 1
                    }
                    for q in 0..<m {
                        let i = chosen[q]
                        PolynomialMutation.move(x, i, lower: lower[i], upper: upper[i], u: random.nextUnit(), whole: whole, roots: roots, eta: eta)
                    }
                }
            }
        }
        if space.hasIntegers { space.repair(x) }
    }
}
