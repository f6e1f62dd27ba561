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

    /// The fraction of the run done, 0…1.
    public var fraction: Double {
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
    let quantiser: Quantiser
    let taskNames: [String]

    private var table: DistortionTable?
    private var importance: [String: ImportanceScores] = [:]
    private var problem: TrueMetricProblem?
    private var timings = FrontResult.Timings()

    /// - Parameter settings: checked here (`FrontSettings.validated()`).
    public init(bundle: FeatureBundle, settings: FrontSettings, source: MetricSource = .heads) throws(ParameterError) {
        self.settings = try settings.validated()
        self.bundle = bundle
        self.source = source
        methods = settings.parsedMethods
        quantiser = Quantiser(fitOf: bundle)
        taskNames = bundle.tasks.map(\.name)
    }

    /// Runs every method for every seed; with `checkpoint`, completed work is read from it and new
    /// work saved to it.
    public func run(checkpoint: FrontCheckpoint? = nil, progress: ((FrontProgress) -> Void)? = nil) throws -> FrontResult {
        let clock = ContinuousClock()
        let start = clock.now
        let report = ScoreCache(try source.scoring(bundle: bundle, split: .report, quantiser: quantiser))
        let clean = try report.scoring.scoreClean().tasks.map(\.metric)
        let entropy = EntropyRateTable(quantiser: quantiser, features: bundle.features(for: .report), maxBits: settings.maxBits)

        // Allocations per method and seed.
        var allocations: [String: [Int: [[Int]]]] = [:]
        var unseeded: [String: [[Int]]] = [:]
        let ordered = methods.filter { $0 != .nsga2 } + methods.filter { $0 == .nsga2 }
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
                    if method == .nsga2 {
                        let seeds = settings.seedFromILP ? Self.initialIndividuals(ilp: ordered.compactMap { m -> [[Int]]? in
                            if case .ilp = m { return allocations[m.name]?[seed] } else { return nil }
                        }, population: settings.population) : []
                        list = try runNSGA2(seed: seed, initial: seeds, checkpoint: checkpoint) { generation in
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
                let t1 = clock.now
                _ = try report.evaluations(list)
                timings.reportScoringSeconds += (clock.now - t1).seconds
            }
        }

        // Points, non-dominated flags, hypervolumes.
        var points: [FrontPoint] = []
        var summaries: [FrontMethodSummary] = []
        for method in methods {
            var perSeed: [Double] = []
            var count = 0
            var front: [[Double]] = []
            for seed in settings.seeds {
                let list = allocations[method.name]![seed]!
                let metrics = try report.metrics(list)
                let analysed = zip(list, metrics).map { FrontAnalysis.Point(bpe: Rate(bits: $0, channelShape: bundle.channelShape).bpe, metrics: $1) }
                let flags = FrontAnalysis.nondominated(analysed)
                for (k, bits) in list.enumerated() {
                    let rate = Rate(bits: bits, channelShape: bundle.channelShape)
                    points.append(FrontPoint(method: method.name, seed: seed, bpe: rate.bpe, bitsPerSample: rate.bitsPerSample,
                                             entropyBitsPerSample: entropy.bitsPerSample(bits), metrics: analysed[k].metrics, nondominated: flags[k], bits: bits))
                }
                perSeed.append(FrontAnalysis.hypervolume(analysed, clean: clean, maxBits: settings.maxBits))
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
        if let reference = summaries.first(where: { $0.name == "ilp-mi" }) {
            for other in summaries where other.name != reference.name {
                comparisons.append((other.name, FrontAnalysis.compare(reference: reference.hypervolumePerSeed, other: other.hypervolumePerSeed)))
            }
        }
        let usesMI = methods.contains { $0.measure == .mi }
        timings.totalSeconds = (clock.now - start).seconds
        return FrontResult(bundle: bundle.name, taskNames: taskNames, metricNames: bundle.tasks.map(\.kind.metricName), clean: clean,
                           settings: settings, points: points, methods: summaries, comparisons: comparisons,
                           miScores: usesMI ? try scores(.mi, seed: settings.seeds[0]) : nil,
                           reportSamples: report.scoring.samples, timings: timings, searchStatistics: problem?.incrementalScorer?.statistics,
                           reportScored: report.count)
    }

    // MARK: - Methods

    private func allocate(_ method: FrontMethod, seed: Int) throws -> [[Int]] {
        var list: [[Int]] = []
        func add(_ bits: [Int]) { if !list.contains(bits) { list.append(bits) } }
        switch method {
        case .uniform:
            for b in 0...settings.maxBits { add([Int](repeating: b, count: bundle.channels)) }
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
        case .nsga2:
            preconditionFailure("NSGA-II runs through runNSGA2")
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
        return Allocator(model: AllocationModel(scores: s, table: table!, elementsPerChannel: bundle.elementsPerChannel), scores: s)
    }

    /// Importance scores, computed once per measure (per seed for seeded measures).
    private func scores(_ measure: ImportanceMeasure, seed: Int) throws -> ImportanceScores {
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

    private func runNSGA2(seed: Int, initial: [[Int]], checkpoint: FrontCheckpoint?, onGeneration: @escaping (Int) -> Void) throws -> [[Int]] {
        if problem == nil {
            let search = try source.scoring(bundle: bundle, split: .search, quantiser: quantiser, forSearch: true)
            problem = try TrueMetricProblem(bundle: bundle, scoring: search, maxBits: settings.maxBits)
        }
        let problem = problem!
        let nsga: NSGA2
        if let saved = try checkpoint?.nsga2(seed: seed) {
            nsga = try NSGA2(resuming: saved, problem: problem)
        } else {
            nsga = try NSGA2(problem: problem, settings: .integer(populationSize: settings.population), seed: UInt64(seed),
                             initialIndividuals: initial.map { $0.map(Double.init) })
            try problem.checkFailure()
            try checkpoint?.saveNSGA2(nsga.checkpoint(), seed: seed)
        }
        onGeneration(nsga.state.generation)
        try nsga.run(until: .generations(settings.generations)) { state in
            try problem.checkFailure()
            try checkpoint?.saveNSGA2(nsga.checkpoint(), seed: seed)
            onGeneration(state.generation)
        }
        // The method's answer: its non-dominated set on `search` (rank 0), each allocation once.
        let p = nsga.state.population
        var list: [[Int]] = []
        var seen = Set<[Int]>()
        for i in 0..<p.count where p.rank[i] == 0 && p.violation[i] == 0 {
            let bits = p.variables(of: i).withUnsafeBufferPointer { TrueMetricProblem.bits($0, maxBits: settings.maxBits) }
            if seen.insert(bits).inserted { list.append(bits) }
        }
        list.sort { a, b in
            let ra = a.reduce(0, +), rb = b.reduce(0, +)
            return ra != rb ? ra < rb : a.lexicographicallyPrecedes(b)
        }
        return list
    }
}
