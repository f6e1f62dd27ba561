import Basics
import Foundation

/// Everything a run needs to continue: saved in checkpoints, so a resumed run draws the same
/// random numbers and makes the same choices as one never stopped.
public struct AlgorithmState: Codable, Sendable, Equatable {
    /// Generations done (the initial population is generation 1).
    public var generation: Int
    public var evaluations: Int
    public var random: SeededRandom
    /// The current population with ranks and crowding distances from the last survival.
    public var population: Population
    /// What the survival carries from one generation to the next (NSGA-III's ideal point, worst
    /// point and extreme points); empty for NSGA-II.
    public var survivalMemory: [Double]
    /// The non-dominated set of every feasible point evaluated (nil unless the settings keep it).
    public var archive: ParetoArchive?

    public init(generation: Int, evaluations: Int, random: SeededRandom, population: Population,
                survivalMemory: [Double] = [], archive: ParetoArchive? = nil) {
        self.generation = generation
        self.evaluations = evaluations
        self.random = random
        self.population = population
        self.survivalMemory = survivalMemory
        self.archive = archive
    }

    private enum CodingKeys: String, CodingKey { case generation, evaluations, random, population, survivalMemory, archive }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        generation = try c.decode(Int.self, forKey: .generation)
        evaluations = try c.decode(Int.self, forKey: .evaluations)
        random = try c.decode(SeededRandom.self, forKey: .random)
        population = try c.decode(Population.self, forKey: .population)
        // Version 1 (NSGA-II only) had neither.
        let version = decoder.userInfo[.checkpointVersion] as? Int ?? AlgorithmCheckpoint.currentVersion
        survivalMemory = version == 1 ? [] : try c.decode([Double].self, forKey: .survivalMemory)
        archive = version == 1 ? nil : try c.decodeIfPresent(ParetoArchive.self, forKey: .archive)
    }
}

/// A generation-based evolutionary algorithm (pymoo's `GeneticAlgorithm`): the initial population
/// (given individuals, then uniform random points), then per generation mating selection,
/// crossover, mutation, duplicate elimination, evaluation and survival over parents plus
/// offspring. The parts come from `AlgorithmSettings`: NSGA-II by default, `.nsga3(…)` for
/// NSGA-III. This type only sequences them, and keeps the archive.
public final class GeneticAlgorithm: Algorithm {
    public let problem: any Problem
    public let settings: AlgorithmSettings
    public private(set) var state: AlgorithmState

    private let selection: any MatingSelection
    private let crossover: any CrossoverOperator
    private let mutation: any MutationOperator
    private let survival: any Survival
    private let evaluator: PopulationEvaluator
    // Reused buffers (not touched inside inner loops).
    private var offspring: Population
    private var merged: Population
    private var parents: [Int] = []
    /// Whether the population is in lexicographic order of objectives (a sorting speed hint only;
    /// not saved in checkpoints, since results do not depend on it).
    private var populationIsSorted = false
    private var seen: DecisionVectorSet

    /// Starts a run: the initial population is `initialIndividuals` (the first ones, if more than
    /// the population; each moved into the bounds and rounded where integer) topped up with
    /// uniform random points, duplicates redrawn, and evaluated. Throws `ProblemError` for
    /// settings or individuals that cannot work.
    public init(problem: any Problem, settings: AlgorithmSettings = AlgorithmSettings(), seed: UInt64,
                initialIndividuals: [[Double]] = []) throws {
        try settings.validate()
        try Self.checkSize(problem, settings)
        self.problem = problem
        self.settings = settings
        let space = problem.variables
        let n = space.count, size = settings.populationSize
        for (k, x) in initialIndividuals.enumerated() {
            guard x.count == n else {
                throw ProblemError.invalidIndividual("individual \(k) has \(x.count) variables, the problem has \(n)")
            }
            guard x.allSatisfy(\.isFinite) else { throw ProblemError.invalidIndividual("individual \(k) has a non-finite value") }
        }
        selection = settings.selection
        crossover = settings.crossover
        mutation = settings.mutation.prepared(for: space)
        let survival = try settings.survival.prepared(objectiveCount: problem.objectiveCount, populationSize: size)
        let evaluator = PopulationEvaluator(parallel: settings.parallelEvaluation)
        self.survival = survival
        self.evaluator = evaluator
        let shape = (n, problem.objectiveCount, problem.constraintCount)
        offspring = Population(count: 0, variableCount: shape.0, objectiveCount: shape.1, constraintCount: shape.2)
        merged = offspring
        var seen = DecisionVectorSet(width: n, capacity: 3 * size)

        var random = SeededRandom(seed: seed)
        var initial = Population(count: size, variableCount: n, objectiveCount: shape.1, constraintCount: shape.2)
        seen.removeAll()
        var filled = 0
        initial.x.withUnsafeMutableBufferPointer { xs in
            var row = [Double](repeating: 0, count: n)
            row.withUnsafeMutableBufferPointer { r in
                for x in initialIndividuals where filled < size {
                    for i in 0..<n { r[i] = x[i] }
                    space.repair(r.baseAddress!)
                    if settings.eliminateDuplicates && !seen.insert(r.baseAddress!) { continue }
                    for i in 0..<n { xs[filled * n + i] = r[i] }
                    filled += 1
                }
                var attempts = 0
                while filled < size {
                    space.sample(into: r.baseAddress!, random: &random)
                    attempts += 1
                    // A tiny integer space may have fewer distinct points than the population.
                    if settings.eliminateDuplicates && attempts < 100 * size && !seen.insert(r.baseAddress!) { continue }
                    for i in 0..<n { xs[filled * n + i] = r[i] }
                    filled += 1
                }
            }
        }
        evaluator.evaluate(problem, &initial, rows: 0..<size)
        var archive: ParetoArchive?
        if settings.keepsArchive {
            archive = ParetoArchive(variableCount: n, objectiveCount: shape.1)
            archive!.insert(feasibleRowsOf: initial, rows: 0..<size)
        }
        var survivors = initial
        var memory: [Double] = []
        let sorted = survival.survive(&initial, count: size, memory: &memory, random: &random, into: &survivors, sortedPrefix: 0)
        self.seen = seen
        populationIsSorted = sorted
        state = AlgorithmState(generation: 1, evaluations: size, random: random, population: survivors,
                               survivalMemory: memory, archive: archive)
    }

    /// Continues a run from a checkpoint; throws `CheckpointError` naming the field if it belongs
    /// to another problem or any field is inconsistent with the run.
    public init(resuming checkpoint: AlgorithmCheckpoint, problem: any Problem) throws {
        let survival = try checkpoint.validate(for: problem)
        self.problem = problem
        settings = checkpoint.settings
        state = checkpoint.state
        selection = settings.selection
        crossover = settings.crossover
        mutation = settings.mutation.prepared(for: problem.variables)
        self.survival = survival
        evaluator = PopulationEvaluator(parallel: settings.parallelEvaluation)
        let p = state.population
        offspring = Population(count: 0, variableCount: p.variableCount, objectiveCount: p.objectiveCount,
                               constraintCount: p.constraintCount)
        merged = offspring
        seen = DecisionVectorSet(width: p.variableCount, capacity: 3 * settings.populationSize)
    }

    /// A bound on what the population's storage may take (parents, offspring and their merge, a
    /// few copies each): 2³¹ numbers, 16 GiB.
    private static func checkSize(_ problem: any Problem, _ settings: AlgorithmSettings) throws {
        let perIndividual = problem.variables.count + problem.objectiveCount + problem.constraintCount + 3
        let individuals = settings.populationSize + (settings.offspringCount ?? settings.populationSize)
        guard problem.objectiveCount >= 1, perIndividual.multipliedReportingOverflow(by: 3 * individuals).partialValue <= 1 << 31,
              perIndividual <= 1 << 31 else {
            throw ProblemError.invalidParameter("population: \(settings.populationSize) individuals of \(problem.variables.count) variables and \(problem.objectiveCount) objectives need more than 16 GiB")
        }
    }

    public var generation: Int { state.generation }
    public var evaluations: Int { state.evaluations }
    /// The non-dominated set of every feasible point evaluated so far, initial individuals
    /// included (nil unless `settings.keepsArchive`).
    public var archive: ParetoArchive? { state.archive }

    /// Evaluates `individuals` (moved into the bounds and rounded where integer, as initial
    /// ones) and offers them to the archive only: points that were scored elsewhere and must not
    /// be lost, such as the seeds that did not fit into the first population. The population
    /// and the random generator are untouched, and so is `evaluations`. Needs `keepsArchive`.
    public func archive(_ individuals: [[Double]]) throws {
        precondition(state.archive != nil, "archive(_:) needs settings.keepsArchive")
        let space = problem.variables
        let n = space.count
        for (k, x) in individuals.enumerated() {
            guard x.count == n else {
                throw ProblemError.invalidIndividual("individual \(k) has \(x.count) variables, the problem has \(n)")
            }
            guard x.allSatisfy(\.isFinite) else { throw ProblemError.invalidIndividual("individual \(k) has a non-finite value") }
        }
        guard !individuals.isEmpty else { return }
        var batch = Population(count: individuals.count, variableCount: n, objectiveCount: problem.objectiveCount,
                               constraintCount: problem.constraintCount)
        batch.x.withUnsafeMutableBufferPointer { xs in
            for (k, x) in individuals.enumerated() {
                for i in 0..<n { xs[k * n + i] = x[i] }
                space.repair(xs.baseAddress! + k * n)
            }
        }
        evaluator.evaluate(problem, &batch, rows: 0..<individuals.count)
        // Not added to `state.evaluations`: that counts the algorithm's own budget (P per
        // generation), which checkpoint validation checks.
        state.archive!.insert(feasibleRowsOf: batch, rows: 0..<individuals.count)
    }

    /// One generation: mating until the offspring are complete, evaluation, survival.
    public func step() {
        let size = settings.populationSize
        let wanted = settings.offspringCount ?? size
        let space = problem.variables
        let n = space.count
        var random = state.random
        offspring.resize(to: 0)
        if settings.eliminateDuplicates {
            seen.removeAll()
            state.population.x.withUnsafeBufferPointer { xs in
                for i in 0..<state.population.count { seen.insert(xs.baseAddress! + i * n) }
            }
        }
        var made = 0
        var candidates = [Double](repeating: 0, count: 2 * n)
        // As pymoo: mate for the missing offspring, drop duplicates, repeat (at most 100 rounds).
        var round = 0
        while made < wanted && round < 100 {
            round += 1
            let matings = (wanted - made + 1) / 2
            selection.select(state.population, count: 2 * matings, random: &random, into: &parents)
            offspring.resize(to: min(wanted, made + 2 * matings))
            state.population.x.withUnsafeBufferPointer { px in
                candidates.withUnsafeMutableBufferPointer { cand in
                    let c1 = cand.baseAddress!, c2 = cand.baseAddress! + n
                    for k in 0..<matings where made < wanted {
                        let a = px.baseAddress! + parents[2 * k] * n, b = px.baseAddress! + parents[2 * k + 1] * n
                        if random.nextUnit() < crossover.probability {
                            crossover.cross(a, b, into: c1, c2, space: space, random: &random)
                        } else {
                            c1.update(from: a, count: n)
                            c2.update(from: b, count: n)
                        }
                        mutation.mutate(c1, space: space, random: &random)
                        mutation.mutate(c2, space: space, random: &random)
                        for child in 0..<2 where made < wanted {
                            let c = child == 0 ? c1 : c2
                            if settings.eliminateDuplicates && !seen.insert(c) { continue }
                            offspring.x.withUnsafeMutableBufferPointer { ox in
                                (ox.baseAddress! + made * n).update(from: c, count: n)
                            }
                            made += 1
                        }
                    }
                }
            }
            offspring.resize(to: made)
        }
        state.random = random
        evaluator.evaluate(problem, &offspring, rows: 0..<made)
        state.evaluations += made
        state.archive?.insert(feasibleRowsOf: offspring, rows: 0..<made)

        // Merge parents and offspring, then keep the best `size`.
        // `merged` takes the population's storage (no copy), then the offspring are appended.
        swap(&merged, &state.population)
        merged.append(offspring, count: made)
        let prefix = populationIsSorted ? merged.count - made : 0
        populationIsSorted = survival.survive(&merged, count: size, memory: &state.survivalMemory, random: &random,
                                              into: &state.population, sortedPrefix: prefix)
        state.random = random
        state.generation += 1
    }

    /// A checkpoint of the current state.
    public func checkpoint() -> AlgorithmCheckpoint {
        AlgorithmCheckpoint(problem: problem.name, problemParameters: problem.parameterDescription, settings: settings, state: state)
    }

    /// The current non-dominated set: the feasible population members' non-dominated objectives,
    /// duplicates once, sorted. (`archive` holds the non-dominated set of everything evaluated.)
    public var front: [[Double]] {
        let p = state.population
        var points: [[Double]] = []
        for i in 0..<p.count where p.violation[i] == 0 { points.append(p.objectives(of: i)) }
        return NonDominatedSorting.nonDominated(points).sorted { $0.lexicographicallyPrecedes($1) }
    }
}

/// The names NSGA-II callers know: an NSGA-II run is a `GeneticAlgorithm` with the default settings.
public typealias NSGA2 = GeneticAlgorithm
public typealias NSGA2State = AlgorithmState
