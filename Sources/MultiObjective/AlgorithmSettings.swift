import Foundation

/// The parts and sizes of a `GeneticAlgorithm` run. The default is NSGA-II as pymoo 0.6.2's
/// `NSGA2` with the operators of this project: population 100, as many offspring, binary
/// tournament on dominance and crowding, SBX (p_c 0.9, η_c 20, per variable 0.5), polynomial
/// mutation (η_m 20, p_m 1/n, every child), duplicate elimination, rank-and-crowding survival.
/// `nsga3(…)` gives pymoo's `NSGA3`; any part can be replaced by another implementation of its
/// protocol.
public struct AlgorithmSettings: Sendable {
    public var populationSize: Int
    /// Offspring per generation (nil: the population size).
    public var offspringCount: Int?
    public var selection: any MatingSelection
    public var crossover: any CrossoverOperator
    public var mutation: any MutationOperator
    public var survival: any Survival
    /// Drop offspring identical to an individual already in the population or the offspring.
    public var eliminateDuplicates: Bool
    /// Evaluate offspring on every core (worth it only for expensive problems).
    public var parallelEvaluation: Bool
    /// Keep the non-dominated set of every feasible point evaluated (`GeneticAlgorithm.archive`).
    /// Off by default: each insertion scans the archive (O(archive) for 3+ objectives), which
    /// matters for cheap test problems, not for expensive ones.
    public var keepsArchive: Bool

    /// The largest population (and offspring count) accepted: a bound on what a setting or a
    /// checkpoint can make the run allocate.
    public static let maximumPopulationSize = 1_000_000

    public init(populationSize: Int = 100, offspringCount: Int? = nil,
                selection: any MatingSelection = TournamentSelection(),
                crossover: any CrossoverOperator = SimulatedBinaryCrossover(),
                mutation: any MutationOperator = PolynomialMutation(),
                survival: any Survival = RankAndCrowdingSurvival(),
                eliminateDuplicates: Bool = true, parallelEvaluation: Bool = false, keepsArchive: Bool = false) {
        self.populationSize = populationSize
        self.offspringCount = offspringCount
        self.selection = selection
        self.crossover = crossover
        self.mutation = mutation
        self.survival = survival
        self.eliminateDuplicates = eliminateDuplicates
        self.parallelEvaluation = parallelEvaluation
        self.keepsArchive = keepsArchive
    }

    /// NSGA-II (the default settings).
    public static func nsga2(populationSize: Int = 100) -> AlgorithmSettings {
        AlgorithmSettings(populationSize: populationSize)
    }

    /// NSGA-III (Deb & Jain 2014) as pymoo 0.6.2's `NSGA3`: binary tournament on constraint
    /// violation only (random between feasible competitors), SBX (p_c 1, η_c 30), polynomial
    /// mutation (η_m 20, p_m 1/n, each child with probability 0.9), duplicate elimination,
    /// reference-direction survival. `referenceDirections` nil: the largest Das–Dennis lattice
    /// with at most `populationSize` points (91 for 3 objectives and P = 92, 210 for 5 and
    /// P = 212, Deb & Jain's sizes).
    public static func nsga3(populationSize: Int = 92, referenceDirections: [[Double]]? = nil) -> AlgorithmSettings {
        AlgorithmSettings(populationSize: populationSize, selection: ViolationTournamentSelection(),
                          crossover: SimulatedBinaryCrossover(probability: 1, eta: 30),
                          mutation: PolynomialMutation(eta: 20, probability: 0.9),
                          survival: ReferenceDirectionSurvival(directions: referenceDirections))
    }

    /// NSGA-II for integer codes such as bit vectors: uniform crossover and ±1 / random-reset
    /// mutation.
    public static func integer(populationSize: Int = 100) -> AlgorithmSettings {
        AlgorithmSettings(populationSize: populationSize).usingIntegerOperators()
    }

    /// These settings with uniform crossover and ±1 / random-reset mutation (for bit vectors
    /// under NSGA-III too: `.nsga3(populationSize: P).usingIntegerOperators()`).
    public func usingIntegerOperators() -> AlgorithmSettings {
        var copy = self
        copy.crossover = UniformCrossover()
        copy.mutation = IntegerStepMutation()
        return copy
    }

    /// Throws `ProblemError.invalidParameter` naming the setting. Mating produces children in
    /// pairs, and tournaments need at least two pairs to choose from.
    public func validate() throws {
        guard populationSize >= 4, populationSize % 2 == 0, populationSize <= Self.maximumPopulationSize else {
            throw ProblemError.invalidParameter("population: must be an even number in 4…\(Self.maximumPopulationSize) (got \(populationSize))")
        }
        if let o = offspringCount, o < 1 || o > Self.maximumPopulationSize {
            throw ProblemError.invalidParameter("offspring count: must be in 1…\(Self.maximumPopulationSize) (got \(o))")
        }
        try selection.validate()
        try crossover.validate()
        try mutation.validate()
        try survival.validate()
    }
}

/// The name NSGA-II callers know.
public typealias NSGA2Settings = AlgorithmSettings

extension AlgorithmSettings: Equatable {
    public static func == (a: AlgorithmSettings, b: AlgorithmSettings) -> Bool {
        a.populationSize == b.populationSize && a.offspringCount == b.offspringCount
            && a.selection.isEqual(to: b.selection) && a.crossover.isEqual(to: b.crossover)
            && a.mutation.isEqual(to: b.mutation) && a.survival.isEqual(to: b.survival)
            && a.eliminateDuplicates == b.eliminateDuplicates && a.parallelEvaluation == b.parallelEvaluation
            && a.keepsArchive == b.keepsArchive
    }
}

/// Parts are written as `{"kind": K, "parameters": {…}}`. Version-1 checkpoints (NSGA-II only)
/// had no selection, survival or archive, the sort method at the top level, and the operators in
/// Swift's enum layout; they are read into the same settings.
extension AlgorithmSettings: Codable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(populationSize, forKey: AnyCodingKey("populationSize"))
        try c.encodeIfPresent(offspringCount, forKey: AnyCodingKey("offspringCount"))
        try PartCoding.encode(selection, to: &c, key: "selection")
        try PartCoding.encode(crossover, to: &c, key: "crossover")
        try PartCoding.encode(mutation, to: &c, key: "mutation")
        try PartCoding.encode(survival, to: &c, key: "survival")
        try c.encode(eliminateDuplicates, forKey: AnyCodingKey("eliminateDuplicates"))
        try c.encode(parallelEvaluation, forKey: AnyCodingKey("parallelEvaluation"))
        try c.encode(keepsArchive, forKey: AnyCodingKey("keepsArchive"))
    }

    public init(from decoder: any Decoder) throws {
        let catalog = decoder.userInfo[.partCatalog] as? PartCatalog ?? .builtIn
        let version = decoder.userInfo[.checkpointVersion] as? Int ?? AlgorithmCheckpoint.currentVersion
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        func key(_ name: String) -> AnyCodingKey { AnyCodingKey(name) }
        populationSize = try c.decode(Int.self, forKey: key("populationSize"))
        offspringCount = try c.decodeIfPresent(Int.self, forKey: key("offspringCount"))
        crossover = try PartCoding.decode((any CrossoverOperator).self, from: c, key: "crossover", what: "crossover", catalog: catalog)
        mutation = try PartCoding.decode((any MutationOperator).self, from: c, key: "mutation", what: "mutation", catalog: catalog)
        eliminateDuplicates = try c.decode(Bool.self, forKey: key("eliminateDuplicates"))
        parallelEvaluation = try c.decode(Bool.self, forKey: key("parallelEvaluation"))
        if version == 1 {
            selection = TournamentSelection()
            survival = RankAndCrowdingSurvival(sortMethod: try c.decode(NonDominatedSortMethod.self, forKey: key("sortMethod")))
            keepsArchive = false
        } else {
            selection = try PartCoding.decode((any MatingSelection).self, from: c, key: "selection", what: "selection", catalog: catalog)
            survival = try PartCoding.decode((any Survival).self, from: c, key: "survival", what: "survival", catalog: catalog)
            keepsArchive = try c.decode(Bool.self, forKey: key("keepsArchive"))
        }
    }
}
