import Allocation
import Basics
import FeatureData
import Foundation
import Importance
import Inference
import MultiObjective
import Reporting

/// The per-method summary of `summary.json`.
public struct FrontMethodSummary: Sendable {
    public var name: String
    public var hypervolumePerSeed: [Double]
    public var hypervolume: Double
    public var hypervolumeSD: Double
    /// Points of the method over every seed.
    public var points: Int
    /// The first seed's non-dominated points: `[bpe, metric per task…]`, by bpe.
    public var front: [[Double]]
}

/// Everything a `front` run found; commands only format it (`FrontReport`).
public struct FrontResult: Sendable {
    public var bundle: String
    public var taskNames: [String]
    /// `accuracy`, `psnr` or `miou` per task.
    public var metricNames: [String]
    /// Clean metric per task on `report`.
    public var clean: [Double]
    public var settings: FrontSettings
    /// Grouped by method (in `settings.methods` order), then seed (in `settings.seeds` order).
    public var points: [FrontPoint]
    public var methods: [FrontMethodSummary]
    /// `ilp-mi` against every other method, paired by seed (empty when `ilp-mi` did not run).
    public var comparisons: [(method: String, comparison: FrontAnalysis.Comparison)]
    /// The MI scores of the first seed, when a method used them (for the heat map).
    public var miScores: ImportanceScores?
    public var reportSamples: Int
    public var timings: Timings
    /// NSGA-II: allocations scored on `search` by the heads' incremental scorer.
    public var searchStatistics: IncrementalScorer.Statistics?
    /// Distinct allocations scored on `report`.
    public var reportScored: Int
    /// An evaluator's work: `score` requests answered and the allocations in them (nil: heads).
    public var evaluatorRequests: (requests: Int, allocations: Int)? = nil
    /// False for a run without scoring (`--no-score`): points carry rates and bits, no metrics.
    public var scored: Bool = true
    /// `H·W` of the network input, when the bundle gives it; with `elementsPerSample` (C·H·W of
    /// the features) it turns bits per element into bits per input pixel.
    public var inputPixels: Int? = nil
    public var elementsPerSample: Int = 0

    public struct Timings: Sendable {
        public var importanceSeconds = 0.0
        public var tableSeconds = 0.0
        public var allocationSeconds = 0.0
        public var nsga2Seconds = 0.0
        public var reportScoringSeconds = 0.0
        public var totalSeconds = 0.0
    }
}

/// Where a run is, for a progress bar.
public struct FrontProgress: Sendable {
    public var seed: Int
    public var seedIndex: Int
    public var seedCount: Int
    public var method: String
    public var methodIndex: Int
    public var methodCount: Int
    /// NSGA-II's generation (nil for the other methods).
    public var generation: Int?
    public var generations: Int
    /// Scoring every allocation on `report` (after every method ran): allocations done, in all.
    public var reportScoring: (done: Int, total: Int)? = nil

    /// The fraction of the run done, 0…1.
    public var fraction: Double {
        if let reportScoring { return Double(reportScoring.done) / Double(Swift.max(1, reportScoring.total)) }
        var done = Double(seedIndex * methodCount + methodIndex)
        if let generation { done += Double(generation) / Double(Swift.max(1, generations)) }
        return Swift.min(1, done / Double(Swift.max(1, seedCount * methodCount)))
    }
}

/// The library half of `mipareto front`: every method's allocations, scored on `report`, with
/// the analysis of `FrontAnalysis`.
///
/// Work is shared: one distortion table, one importance computation per measure (per seed only
/// for seeded measures), one report scorer with scores cached by allocation (many methods give
/// the same allocations), one NSGA-II problem for every seed. Within a seed, NSGA-II runs after
/// the other methods, so `--seed-from-ilp` sees that seed's ILP solutions.
public final class FrontRunner {
    public let bundle: FeatureBundle
    public let settings: FrontSettings
    public let methods: [FrontMethod]
    public let source: MetricSource
    /// Whether points are scored on `report` (false: rates and allocations only).
    public let scores: Bool
    let quantiser: Quantiser
    let taskNames: [String]

    private var table: DistortionTable?
    private var importance: [String: ImportanceScores] = [:]
    private var sensitivityTable: SensitivityTable?
    private var problem: TrueMetricProblem?
    private var timings = FrontResult.Timings()

    /// - Parameter settings: checked here (`FrontSettings.validated()`).
    public init(bundle: FeatureBundle, settings: FrontSettings, source: MetricSource = .heads, scores: Bool = true) throws(ParameterError) {
        self.settings = try settings.validated()
        if !scores, let search = settings.parsedMethods.first(where: \.isSearch) {
            throw ParameterError("methods", "\(search.name) searches on the true metrics; it cannot run without scoring (\(ParameterError.mention("noScore")))")
        }
        self.bundle = bundle
        self.source = source
        self.scores = scores
        methods = settings.parsedMethods
        quantiser = Quantiser(fitOf: bundle)
        taskNames = bundle.tasks.map(\.name)
    }

    /// Runs every method for every seed; with `checkpoint`, completed work is read from it and new
    /// work saved to it.
    public func run(checkpoint: FrontCheckpoint? = nil, progress: ((FrontProgress) -> Void)? = nil) throws -> FrontResult {
        let clock = ContinuousClock()
        let start = clock.now
        let report: ScoreCache? = scores ? ScoreCache(try scoring(.report, checkpoint: checkpoint)) : nil
        let cleanEvaluation = try report?.scoring.scoreClean()
        try MetricSource.requireFinite(cleanEvaluation.map { [$0] } ?? [], bundle: bundle, what: "unquantised features")
        let clean = cleanEvaluation?.tasks.map(\.metric) ?? []
        let entropy = EntropyRateTable(quantiser: quantiser, bundle: bundle, split: .report, maxBits: settings.maxBits)

        // Allocations per method and seed.
        var allocations: [String: [Int: [[Int]]]] = [:]
        var unseeded: [String: [[Int]]] = [:]
        let ordered = methods.filter { !$0.isSearch } + methods.filter(\.isSearch)
        for (s, seed) in settings.seeds.enumerated() {
            for (m, method) in ordered.enumerated() {
                let place = FrontProgress(seed: seed, seedIndex: s, seedCount: settings.seeds.count, method: method.name,
                                          methodIndex: m, methodCount: ordered.count, generation: nil, generations: settings.generations)
                progress?(place)
                let list: [[Int]]
                if !method.usesSeed, let known = unseeded[method.name] {
                    list = known
                } else if let saved = try checkpoint?.completed(method: method.name, seed: seed, channels: bundle.channels) {
                    list = saved
                } else {
                    let t0 = clock.now
                    if method.isSearch {
                        let ilp = ordered.compactMap { m -> [[Int]]? in
                            if case .ilp = m { return allocations[m.name]?[seed] } else { return nil }
                        }
                        let seeds = settings.seedFromILP ? Self.initialIndividuals(ilp: ilp, population: settings.population) : []
                        let everySeed = settings.seedFromILP ? Self.initialIndividuals(ilp: ilp, population: Int.max) : []
                        list = try runSearch(method, seed: seed, initial: seeds, archived: everySeed, checkpoint: checkpoint) { generation in
                            var at = place
                            at.generation = generation
                            progress?(at)
                        }
                        timings.nsga2Seconds += (clock.now - t0).seconds
                    } else {
                        list = try allocate(method, seed: seed)
                        timings.allocationSeconds += (clock.now - t0).seconds
                    }
                    try checkpoint?.saveCompleted(method: method.name, seed: seed, allocations: list)
                }
                if !method.usesSeed { unseeded[method.name] = list }
                allocations[method.name, default: [:]][seed] = list
            }
        }

        // Every allocation on report, each distinct one once (an evaluator gets them as
        // independent batches, several in flight).
        let t1 = clock.now
        if let report {
            var all: [[Int]] = []
            var seen = Set<[Int]>()
            for method in ordered { for seed in settings.seeds { for bits in allocations[method.name]![seed]! where seen.insert(bits).inserted { all.append(bits) } } }
            let chunk = 256
            for start in stride(from: 0, to: all.count, by: chunk) {
                progress?(FrontProgress(seed: settings.seeds[0], seedIndex: 0, seedCount: settings.seeds.count, method: "report", methodIndex: 0,
                                        methodCount: ordered.count, generation: nil, generations: settings.generations, reportScoring: (start, all.count)))
                _ = try report.evaluations(Array(all[start..<Swift.min(all.count, start + chunk)]))
            }
        }
        timings.reportScoringSeconds += (clock.now - t1).seconds

        // Points, non-dominated flags, hypervolumes.
        var points: [FrontPoint] = []
        var summaries: [FrontMethodSummary] = []
        for method in methods {
            var perSeed: [Double] = []
            var count = 0
            var front: [[Double]] = []
            for seed in settings.seeds {
                let list = allocations[method.name]![seed]!
                let evaluations = try report?.evaluations(list)
                try MetricSource.requireFinite(evaluations ?? [], bundle: bundle, what: "an allocation of \(method.name)")
                let analysed = list.enumerated().map { k, bits in
                    FrontAnalysis.Point(bpe: Rate(bits: bits, channelSizes: bundle.channelSizes).bpe, metrics: evaluations?[k].tasks.map(\.metric) ?? [])
                }
                // Without metrics there is no dominance to flag.
                let flags = report == nil ? [Bool](repeating: false, count: list.count) : FrontAnalysis.nondominated(analysed)
                for (k, bits) in list.enumerated() {
                    let rate = Rate(bits: bits, channelSizes: bundle.channelSizes)
                    points.append(FrontPoint(method: method.name, seed: seed, bpe: rate.bpe, bitsPerSample: rate.bitsPerSample,
                                             entropyBitsPerSample: entropy.bitsPerSample(bits), metrics: analysed[k].metrics, nondominated: flags[k], bits: bits,
                                             codedBitsPerSample: evaluations?[k].codedBitsPerSample,
                                             bitsPerInputPixel: bundle.inputPixels.map(rate.bitsPerInputPixel)))
                }
                perSeed.append(report == nil ? .nan : FrontAnalysis.hypervolume(analysed, clean: clean, maxBits: settings.maxBits))
                count += list.count
                if seed == settings.seeds[0] {
                    var seen = Set<[Double]>()
                    for (p, nd) in zip(analysed, flags) where nd {
                        let row = [p.bpe] + p.metrics
                        if seen.insert(row).inserted { front.append(row) }
                    }
                    front.sort { $0.lexicographicallyPrecedes($1) }
                }
            }
            let (mean, sd) = FrontAnalysis.meanAndSD(perSeed)
            summaries.append(FrontMethodSummary(name: method.name, hypervolumePerSeed: perSeed, hypervolume: mean, hypervolumeSD: sd,
                                                points: count, front: front))
        }
        var comparisons: [(method: String, comparison: FrontAnalysis.Comparison)] = []
        if scores, let reference = summaries.first(where: { $0.name == "ilp-mi" }) {
            for other in summaries where other.name != reference.name {
                comparisons.append((other.name, FrontAnalysis.compare(reference: reference.hypervolumePerSeed, other: other.hypervolumePerSeed)))
            }
        }
        let usesMI = methods.contains { $0.measure == .mi }
        var evaluatorRequests: (requests: Int, allocations: Int)?
        if case let .evaluator(session, _, _) = source { evaluatorRequests = (session.requestsAnswered, session.allocationsAnswered) }
        timings.totalSeconds = (clock.now - start).seconds
        return FrontResult(bundle: bundle.name, taskNames: taskNames, metricNames: bundle.tasks.map(\.kind.metricName), clean: clean,
                           settings: settings, points: points, methods: summaries, comparisons: comparisons,
                           miScores: usesMI ? try scores(.mi, seed: settings.seeds[0]) : nil,
                           reportSamples: bundle.sampleCount(of: .report), timings: timings, searchStatistics: problem?.incrementalScorer?.statistics,
                           reportScored: report?.count ?? 0, evaluatorRequests: evaluatorRequests, scored: scores,
                           inputPixels: bundle.inputPixels, elementsPerSample: bundle.elementsPerSample)
    }

    /// The source's scorer of `split`. An evaluator's scores go into the checkpoint as they come
    /// and come back from it on resume, so a resumed run never asks the evaluator twice (the
    /// bundle's heads are cheap and deterministic: their scores are recomputed).
    private func scoring(_ split: Split, checkpoint: FrontCheckpoint?, forSearch: Bool = false) throws -> any AllocationScoring {
        let scoring = try source.scoring(bundle: bundle, split: split, quantiser: quantiser, forSearch: forSearch)
        if let checkpoint, let evaluator = scoring as? EvaluatorScoring {
            let kinds = bundle.tasks.map(\.kind)
            for saved in try checkpoint.storedScores(split: split, channels: bundle.channels, tasks: bundle.tasks.count) {
                let tasks = zip(bundle.tasks, zip(kinds, saved.metrics)).map { TaskScore(name: $0.name, kind: $1.0, metric: $1.1, details: []) }
                evaluator.insert(saved.bits, Evaluation(split: split, samples: evaluator.samples, tasks: tasks, codedBitsPerSample: saved.coded))
            }
            evaluator.onScored = { bits, evaluations in try checkpoint.appendScores(split: split, allocations: bits, evaluations: evaluations) }
        }
        return scoring
    }

    // MARK: - Methods

    private func allocate(_ method: FrontMethod, seed: Int) throws -> [[Int]] {
        var list: [[Int]] = []
        func add(_ bits: [Int]) { if !list.contains(bits) { list.append(bits) } }
        switch method {
        case .uniform:
            for b in 0...settings.maxBits { add([Int](repeating: b, count: bundle.channels)) }
        case .ilp(.sensitivity):
            // The measured losses themselves, not scores × distortion (HAWQ's integer program).
            let table = try sensitivity()
            let costs = table.costs(weights: [Double](repeating: 1, count: taskNames.count))
            let model = try allocator(.sensitivity, seed: seed).model
            for budget in settings.budgets { add(try model.allocate(budget: budget, costs: costs).bits) }
        case .ilp(let measure):
            let allocator = try self.allocator(measure, seed: seed)
            for budget in settings.budgets { add(try allocator.allocate(budget: budget).bits) }
        case .twoLevel(let measure):
            let allocator = try self.allocator(measure, seed: seed)
            for budget in settings.budgets { add(try allocator.twoLevel(budget: budget).bits) }
        case .select(let measure):
            let s = try scores(measure, seed: seed)
            let order = ChannelRanking.order(s.combined(weights: [Double](repeating: 1, count: s.scores.count)))
            var bits = [Int](repeating: 0, count: bundle.channels)
            for c in order {
                bits[c] = settings.maxBits
                add(bits)
            }
        case .nsga2, .nsga3:
            preconditionFailure("searches run through runSearch")
        }
        return list
    }

    private func allocator(_ measure: ImportanceMeasure, seed: Int) throws -> Allocator {
        if table == nil {
            let clock = ContinuousClock(), t0 = clock.now
            table = DistortionTable(fitOf: bundle, maxBits: settings.maxBits)
            timings.tableSeconds += (clock.now - t0).seconds
        }
        let s = try scores(measure, seed: seed)
        return Allocator(model: AllocationModel(scores: s, table: table!, channelSizes: bundle.channelSizes), scores: s)
    }

    /// The measured sensitivities at every depth 0…maxBits, once per run.
    private func sensitivity() throws -> SensitivityTable {
        if let sensitivityTable { return sensitivityTable }
        let clock = ContinuousClock(), t0 = clock.now
        let table = try SensitivityTable.measure(bundle: bundle, maxBits: settings.maxBits, quantiser: quantiser)
        timings.importanceSeconds += (clock.now - t0).seconds
        sensitivityTable = table
        return table
    }

    /// Importance scores, computed once per measure (per seed for seeded measures).
    private func scores(_ measure: ImportanceMeasure, seed: Int) throws -> ImportanceScores {
        // The drop losses of the full table (the same probes `ImportanceCalculator` scores).
        if measure == .sensitivity { return try sensitivity().scores }
        let seeded = FrontMethod.measureUsesSeed(measure)
        let key = seeded ? "\(measure.rawValue)#\(seed)" : measure.rawValue
        if let known = importance[key] { return known }
        var options = ImportanceOptions(measure: measure)
        options.seed = UInt64(seeded ? seed : 0)
        let clock = ContinuousClock(), t0 = clock.now
        let s = try ImportanceCalculator.scores(bundle: bundle, options: options)
        timings.importanceSeconds += (clock.now - t0).seconds
        importance[key] = s
        return s
    }

    /// The first population's seeds from the ILP sweeps: round-robin over the methods (budget
    /// order within each), duplicates once; when there are more than the population, an evenly
    /// spaced subset, so every method and the whole rate range are represented.
    static func initialIndividuals(ilp: [[[Int]]], population: Int) -> [[Int]] {
        var merged: [[Int]] = []
        var seen = Set<[Int]>()
        let longest = ilp.map(\.count).max() ?? 0
        for k in 0..<longest {
            for list in ilp where k < list.count {
                if seen.insert(list[k]).inserted { merged.append(list[k]) }
            }
        }
        guard merged.count > population else { return merged }
        return (0..<population).map { merged[$0 * merged.count / population] }
    }

    /// The algorithm of a search method: NSGA-II or NSGA-III (Das–Dennis directions sized to
    /// the population) with the integer operators, both keeping the archive.
    static func searchSettings(_ method: FrontMethod, population: Int) -> AlgorithmSettings {
        var settings: AlgorithmSettings = method == .nsga3 ? .nsga3(populationSize: population).usingIntegerOperators()
                                                           : .integer(populationSize: population)
        settings.keepsArchive = true
        return settings
    }

    /// Runs `method` for `seed`. Its answer is the archive: the non-dominated set on `search` of
    /// every allocation it scored, the first population and `archived` (every ILP seed, also
    /// those that did not fit into the population) included, so no seed can dominate it on
    /// `search`. The archive is in the checkpoint, so a resumed run gives the same answer.
    private func runSearch(_ method: FrontMethod, seed: Int, initial: [[Int]], archived: [[Int]], checkpoint: FrontCheckpoint?,
                           onGeneration: @escaping (Int) -> Void) throws -> [[Int]] {
        if problem == nil {
            problem = try TrueMetricProblem(bundle: bundle, scoring: scoring(.search, checkpoint: checkpoint, forSearch: true), maxBits: settings.maxBits)
        }
        let problem = problem!
        let search: GeneticAlgorithm
        let algorithmSettings = Self.searchSettings(method, population: settings.population)
        if let resumed = try checkpoint?.resumeSearch(method: method.name, seed: seed, problem: problem, settings: algorithmSettings) {
            search = resumed
        } else {
            search = try GeneticAlgorithm(problem: problem, settings: algorithmSettings, seed: UInt64(seed),
                                          initialIndividuals: initial.map { $0.map(Double.init) })
            try search.archive(archived.map { $0.map(Double.init) })
            try problem.checkFailure()
            try checkpoint?.saveSearchState(search.checkpoint(), method: method.name, seed: seed)
        }
        onGeneration(search.state.generation)
        try search.run(until: .generations(settings.generations)) { state in
            try problem.checkFailure()
            try checkpoint?.saveSearchState(search.checkpoint(), method: method.name, seed: seed)
            onGeneration(state.generation)
        }
        let archive = search.archive!
        var list: [[Int]] = []
        var seen = Set<[Int]>()
        for i in 0..<archive.count {
            let bits = archive.variables(of: i).withUnsafeBufferPointer { TrueMetricProblem.bits($0, maxBits: settings.maxBits) }
            if seen.insert(bits).inserted { list.append(bits) }
        }
        list.sort { a, b in
            let ra = a.reduce(0, +), rb = b.reduce(0, +)
            return ra != rb ? ra < rb : a.lexicographicallyPrecedes(b)
        }
        return list
    }
}
