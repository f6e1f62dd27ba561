import Foundation

/// The settings of an NSGA-II run. Defaults are pymoo's `NSGA2` with the operators of the issue:
/// population 100, as many offspring, SBX (p_c 0.9, η_c 20, per variable 0.5), polynomial
/// mutation (η_m 20, p_m 1/n), duplicate elimination.
public struct NSGA2Settings: Codable, Equatable, Sendable {
    public var populationSize: Int
    /// Offspring per generation (nil: the population size).
    public var offspringCount: Int?
    public var crossover: CrossoverChoice
    public var mutation: MutationChoice
    /// Drop offspring identical to an individual already in the population or the offspring.
    public var eliminateDuplicates: Bool
    /// Evaluate offspring on every core (worth it only for expensive problems).
    public var parallelEvaluation: Bool
    public var sortMethod: NonDominatedSortMethod

    public init(populationSize: Int = 100, offspringCount: Int? = nil,
                crossover: CrossoverChoice = .simulatedBinary(SimulatedBinaryCrossover()),
                mutation: MutationChoice = .polynomial(PolynomialMutation()),
                eliminateDuplicates: Bool = true, parallelEvaluation: Bool = false,
                sortMethod: NonDominatedSortMethod = .automatic) {
        self.populationSize = populationSize
        self.offspringCount = offspringCount
        self.crossover = crossover
        self.mutation = mutation
        self.eliminateDuplicates = eliminateDuplicates
        self.parallelEvaluation = parallelEvaluation
        self.sortMethod = sortMethod
    }

    /// Settings for integer codes such as bit vectors: uniform crossover and ±1 / random-reset
    /// mutation.
    public static func integer(populationSize: Int = 100) -> NSGA2Settings {
        NSGA2Settings(populationSize: populationSize, crossover: .uniform(UniformCrossover()),
                      mutation: .integerStep(IntegerStepMutation()))
    }

    /// Mating produces children in pairs, and tournaments need at least two pairs to choose from.
    public func validate() throws {
        guard populationSize >= 4, populationSize % 2 == 0 else {
            throw ProblemError.invalidParameter("population must be an even number ≥ 4 (got \(populationSize))")
        }
        if let o = offspringCount, o < 1 {
            throw ProblemError.invalidParameter("offspring count must be positive (got \(o))")
        }
    }
}
