import Basics
import Foundation

/// Uniform crossover: every variable is swapped between the children with probability
/// `swapProbability`. Suits bit vectors and other integer codes, where SBX's continuous spread
/// means little.
public struct UniformCrossover: CrossoverOperator {
    public static let kind = "uniform"
    public var probability: Double
    public var swapProbability: Double

    public init(probability: Double = 0.9, swapProbability: Double = 0.5) {
        self.probability = probability
        self.swapProbability = swapProbability
    }

    public func validate() throws {
        try checkProbability(probability, "crossover probability")
        try checkProbability(swapProbability, "crossover swap probability")
    }

    public func cross(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                      into c1: UnsafeMutablePointer<Double>, _ c2: UnsafeMutablePointer<Double>,
                      space: VariableSpace, random: inout SeededRandom) {
        for i in 0..<space.count {
            if random.nextUnit() < swapProbability { c1[i] = b[i]; c2[i] = a[i] } else { c1[i] = a[i]; c2[i] = b[i] }
        }
    }
}

/// Mutation for integer variables (e.g. bits per channel): each variable mutates with probability
/// `variableProbability` (nil: 1/n); a mutation is a random reset to any value in range with
/// probability `resetProbability`, otherwise a step of ±1…`maxStep` (sign and size uniform),
/// clamped to the bounds. (Real variables in a mixed space get the same moves.)
public struct IntegerStepMutation: MutationOperator {
    public static let kind = "integerStep"
    public var variableProbability: Double?
    public var resetProbability: Double
    public var maxStep: Int

    public init(variableProbability: Double? = nil, resetProbability: Double = 0.1, maxStep: Int = 1) {
        self.variableProbability = variableProbability
        self.resetProbability = resetProbability
        self.maxStep = max(1, maxStep)
    }

    public func validate() throws {
        if let p = variableProbability { try checkProbability(p, "mutation variable probability") }
        try checkProbability(resetProbability, "mutation reset probability")
        guard maxStep >= 1 else { throw ProblemError.invalidParameter("mutation max step: must be at least 1 (got \(maxStep))") }
    }

    public func mutate(_ x: UnsafeMutablePointer<Double>, space: VariableSpace, random: inout SeededRandom) {
        let n = space.count
        let p = variableProbability ?? 1 / Double(n)
        for i in 0..<n {
            guard random.nextUnit() < p else { continue }
            let lo = space.lower[i], hi = space.upper[i]
            guard lo < hi else { continue }
            if random.nextUnit() < resetProbability {
                x[i] = space.kinds[i] == .integer
                    ? Double(random.nextInt(in: Int(lo.rounded(.up))...Int(hi.rounded(.down))))
                    : lo + random.nextUnit() * (hi - lo)
            } else {
                let step = Double(1 + random.nextInt(below: maxStep))
                x[i] += random.nextUnit() < 0.5 ? -step : step
            }
        }
        space.repair(x)
    }
}
