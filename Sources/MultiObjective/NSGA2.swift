import Basics
import Foundation

/// Everything an NSGA-II run needs to continue: saved in checkpoints, so a resumed run draws the
/// same random numbers and makes the same choices as one never stopped.
public struct NSGA2State: Codable, Sendable, Equatable {
    /// Generations done (the initial population is generation 1).
    public var generation: Int
    public var evaluations: Int
    public var random: SeededRandom
    /// The current population with ranks and crowding distances from the last survival.
    public var population: Population
}

/// NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002) as pymoo runs it: binary tournament on
/// constraint violation, dominance and crowding; crossover and mutation; duplicate elimination;
/// rank-and-crowding survival over parents plus offspring. The pieces (operators, selection,
/// survival, sorting) are separate types; this type only sequences them.
public final class NSGA2 {
    public let problem: any Problem
    public let settings: NSGA2Settings
    public private(set) var state: NSGA2State

    private let crossover: any CrossoverOperator
    private let mutation: any MutationOperator
    private let selection = TournamentSelection()
    private let survival: RankAndCrowdingSurvival
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
    /// uniform random points, duplicates redrawn, and evaluated.
    public init(problem: any Problem, settings: NSGA2Settings = NSGA2Settings(), seed: UInt64,
                initialIndividuals: [[Double]] = []) throws {
        try settings.validate()
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
        crossover = settings.crossover.crossover
        mutation = settings.mutation.mutation.prepared(for: problem.variables)
        let survival = RankAndCrowdingSurvival(sortMethod: settings.sortMethod)
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
        var survivors = initial
        let sorted = survival.survive(&initial, count: size, random: &random, into: &survivors)
        self.seen = seen
        populationIsSorted = sorted
        state = NSGA2State(generation: 1, evaluations: size, random: random, population: survivors)
    }

    /// Continues a run from a checkpoint; throws if it belongs to another problem or is inconsistent.
    public init(resuming checkpoint: NSGA2Checkpoint, problem: any Problem) throws {
        try checkpoint.validate(for: problem)
        try checkpoint.settings.validate()
        self.problem = problem
        settings = checkpoint.settings
        state = checkpoint.state
        crossover = settings.crossover.crossover
        mutation = settings.mutation.mutation.prepared(for: problem.variables)
        survival = RankAndCrowdingSurvival(sortMethod: settings.sortMethod)
        evaluator = PopulationEvaluator(parallel: settings.parallelEvaluation)
        let p = state.population
        offspring = Population(count: 0, variableCount: p.variableCount, objectiveCount: p.objectiveCount,
                               constraintCount: p.constraintCount)
        merged = offspring
        seen = DecisionVectorSet(width: p.variableCount, capacity: 3 * settings.populationSize)
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

        // Merge parents and offspring, then keep the best `size`.
        // `merged` takes the population's storage (no copy), then the offspring are appended.
        swap(&merged, &state.population)
        merged.append(offspring, count: made)
        let prefix = populationIsSorted ? merged.count - made : 0
        populationIsSorted = survival.survive(&merged, count: size, random: &random, into: &state.population, sortedPrefix: prefix)
        state.random = random
        state.generation += 1
    }

    /// Runs generations until `termination` is reached; `onGeneration` sees the state after every
    /// generation (including the initial one when nothing has run yet) and may throw to stop.
    public func run(until termination: Termination, onGeneration: ((NSGA2State) throws -> Void)? = nil) rethrows {
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        while !termination.isReached(generation: state.generation, evaluations: state.evaluations, elapsedSeconds: elapsed()) {
            step()
            try onGeneration?(state)
        }
    }

    /// A checkpoint of the current state.
    public func checkpoint() -> NSGA2Checkpoint {
        NSGA2Checkpoint(problem: problem.name, problemParameters: problem.parameterDescription, settings: settings, state: state)
    }

    /// The final non-dominated set: rank-0 feasible members' objectives, duplicates once, sorted.
    public var front: [[Double]] {
        let p = state.population
        var points: [[Double]] = []
        for i in 0..<p.count where p.violation[i] == 0 { points.append(p.objectives(of: i)) }
        return NonDominatedSorting.nonDominated(points).sorted { $0.lexicographicallyPrecedes($1) }
    }
}
