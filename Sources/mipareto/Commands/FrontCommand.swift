import ArgumentParser
import Experiments
import FeatureData
import Foundation
import Reporting

/// `mipareto front BUNDLE --methods … -o DIR`: rate-vs-metric fronts of every method, on `report`.
struct FrontCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "front",
        abstract: "Pareto fronts of bitrate against every task's metric, for MI allocation and the baselines.",
        discussion: """
        Each method turns the bundle into a set of per-channel bit allocations:
          ilp-<measure>       integer program (exact) at every --budgets value,
                              channels weighted by the measure: mi, l1, l2,
                              variance, entropy, random, taylor or equal
          twolevel-<measure>  top-k channels at --max-bits, the rest at 0…4
                              bits: the best pair per budget
          select-<measure>    hard selection: top-k channels at --max-bits,
                              the rest dropped, k = 1…C
          uniform             the same depth on every channel, 0…--max-bits
          nsga2               NSGA-II on the true task metrics of the search
                              split (even eval samples); its front is the
                              archive of every allocation it scored (seeds
                              included), re-scored on report
          nsga3               the same with NSGA-III (reference directions
                              sized to --population), for many tasks

        Honest evaluation: every point of every method is scored on the `report` split (odd eval \
        samples), which NSGA-II never sees; `mipareto evaluate BUNDLE --split report --allocation F` \
        re-scores any point. Hypervolume (docs/guide.md): objectives bpe/max-bits and per task \
        1 − metric/clean, reference point (1, …, 1), exact. Seeded methods (nsga2, and measures \
        with randomness: random, mi) run once per --seeds value; ilp-mi is compared with every \
        other method by a paired Wilcoxon signed-rank test over seeds (meaningful from 6 seeds).

        Writes DIR/front.csv (one row per point), DIR/summary.json, DIR/front.svg, and \
        DIR/importance.svg (MI scores) / DIR/select.svg when those methods ran. Nothing in DIR is \
        touched unless the whole run succeeds. With --checkpoint CK, progress is saved in CK; \
        after a kill, the same command with --resume CK continues and writes the same files as an \
        uninterrupted run.

        Examples:
          mipareto front BUNDLE --methods ilp-mi,ilp-random,uniform -o out
          mipareto front BUNDLE --methods ilp-mi,nsga2 --seed-from-ilp \\
            --seeds 1,2,3,4,5,6 -o out
          mipareto front BUNDLE --methods ilp-mi,nsga2 --checkpoint ck -o out
          mipareto front BUNDLE --methods ilp-mi,nsga2 --resume ck -o out
        """
    )

    @Argument(help: "The bundle directory (the folder holding bundle.json).")
    var bundle: String

    @Option(help: ArgumentHelp("Comma-separated methods (see above).", valueName: "m,…"), transform: argument(FrontMethod.parseList))
    var methods: [FrontMethod]

    @Option(help: ArgumentHelp("Budgets of the ilp-*/twolevel-* sweeps in bits per element: a:step:b or a list (default 0.25:0.25:max-bits).", valueName: "a:step:b"),
            transform: argument(BudgetGrid.parse))
    var budgets: [Double]?

    @OptionGroup var maxBits: MaxBitsOption

    @Option(help: ArgumentHelp("Comma-separated seeds; seeded methods run once per seed.", valueName: "s,…"), transform: argument(FrontSettings.parseSeeds))
    var seeds: [Int] = [1]

    @Option(help: ArgumentHelp("NSGA-II population (even, ≥ 4).", valueName: "P"))
    var population: Int = FrontSettings.defaultPopulation

    @Option(help: ArgumentHelp("NSGA-II generations (the first population counts as one).", valueName: "G"))
    var generations: Int = FrontSettings.defaultGenerations

    @Flag(name: .customLong("seed-from-ilp"), help: "Start NSGA-II from the allocations of the run's ilp-* methods (same seed).")
    var seedFromILP = false

    @Option(help: ArgumentHelp("Save progress in this folder (created if missing) so a killed run can --resume.", valueName: "DIR"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("Continue a run saved with --checkpoint DIR (same bundle and settings); the output equals an uninterrupted run's.", valueName: "DIR"))
    var resume: String?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output folder (created if missing).", valueName: "DIR"))
    var output: String

    @Flag(name: .customLong("no-score"), help: "Allocations and rates only, no metrics (front.csv with empty metric columns, no hypervolume): for bundles without heads and no evaluator. nsga2 needs metrics.")
    var noScore = false

    @OptionGroup var evaluator: EvaluatorOptions

    @OptionGroup var outputOptions: OutputOptions

    /// The run's settings, checked once (here, before any work).
    var settings: FrontSettings {
        get throws {
            try FrontSettings(methods: methods, budgets: budgets, maxBits: maxBits.maxBits, seeds: seeds, population: population,
                              generations: generations, seedFromILP: seedFromILP).validated()
        }
    }

    func validate() throws {
        if checkpoint != nil && resume != nil { throw ValidationError("give --checkpoint DIR or --resume DIR, not both") }
        try OutputFolder.check(output)
        try validating { _ = try settings }
        if noScore, evaluator.evaluator != nil { throw ValidationError("--no-score and --evaluator: give one of them") }
        if noScore, let search = methods.first(where: \.isSearch) { throw ValidationError("--no-score: \(search.name) searches on the task metrics; leave it out or score") }
    }

    func run() throws {
        let settings = try settings
        let featureBundle = try FeatureBundle(directory: bundle)
        let session = noScore ? nil : try evaluator.session(bundle: featureBundle, quantiser: Quantiser(fitOf: featureBundle), maxBits: settings.maxBits)
        let source = evaluator.source(session)
        let runner = try FrontRunner(bundle: featureBundle, settings: settings, source: source, scores: !noScore)
        let identity = FrontCheckpoint.Identity(bundle: featureBundle.name, fingerprint: FrontCheckpoint.fingerprint(of: featureBundle),
                                                settings: settings, scoring: source.kind)
        let store = try resume.map { try FrontCheckpoint(resuming: URL(fileURLWithPath: $0), identity: identity) }
            ?? checkpoint.map { try FrontCheckpoint(creating: URL(fileURLWithPath: $0), identity: identity) }
        let bar = outputOptions.progress("front")
        let result = try runner.run(checkpoint: store) { p in
            var detail = "seed \(p.seed) (\(p.seedIndex + 1)/\(p.seedCount)) \(p.method)"
            if let g = p.generation { detail += " generation \(g)/\(p.generations)" }
            bar.update(fraction: p.fraction, detail: detail)
        }
        bar.finish()
        session?.stop()
        // Every file is made before any is written.
        let files = FrontReport.files(result)
        try OutputFolder.write(files, to: output)
        outputOptions.emit(json: FrontReport.summary(result), text: text(result, files: files.map(\.name)))
    }

    func text(_ r: FrontResult, files: [String]) -> String {
        let s = r.settings
        let dir = output.hasSuffix("/") ? output : output + "/"
        let asked = r.evaluatorRequests.map { "evaluator: \($0.allocations) allocations scored in \($0.requests) requests (the rest came from the cache\(resume == nil ? "" : " and the checkpoint"))\n" } ?? ""
        guard r.scored else {
            return "\(r.bundle): allocations of \(s.methods.count) method\(s.methods.count == 1 ? "" : "s"), not scored (--no-score): \(r.points.count) points\n"
                + "wrote " + files.map { dir + $0 }.joined(separator: ", ") + "\n"
        }
        var out = "\(r.bundle): fronts of \(s.methods.count) method\(s.methods.count == 1 ? "" : "s") over \(s.seeds.count) seed\(s.seeds.count == 1 ? "" : "s"), every point scored on the report split (odd eval samples, \(r.reportSamples))"
        let searches = s.methods.filter { $0 == "nsga2" || $0 == "nsga3" }
        out += searches.isEmpty ? "\n" : "; \(searches.joined(separator: " and ")) searched on the search split (even eval samples)\n"
        out += "clean on report: " + zip(r.taskNames, r.clean).map { "\($0) \(formatMetric($1))" }.joined(separator: ", ") + "\n"
        out += "hypervolume: objectives bpe/\(s.maxBits) and 1 − metric/clean per task, reference (1, …, 1); higher is better\n"
        let p = Dictionary(uniqueKeysWithValues: r.comparisons.map { ($0.method, $0.comparison) })
        let rows = r.methods.map { m -> [String] in
            let wilcoxon: String
            if m.name == "ilp-mi" { wilcoxon = "(reference)" }
            else if let c = p[m.name] { wilcoxon = c.wilcoxonP.map { String(format: "%.4g", $0) } ?? "n/a (equal)" }
            else { wilcoxon = "-" }
            return [m.name, String(m.points), String(format: "%.5f ± %.5f", m.hypervolume, m.hypervolumeSD), wilcoxon]
        }
        out += TextTable.render(header: ["method", "points", "hypervolume (mean ± sd)", "Wilcoxon p vs ilp-mi"], rows: rows)
        if let bd = FrontReport.bdRates(r), !bd.methods.isEmpty {
            out += "BD-rate against uniform (%, mean over seeds; negative: fewer bits for the same metric)\n"
            out += TextTable.render(header: ["method"] + bd.taskNames, rows: FrontBDRate.rows(bd))
        }
        if s.methods.contains("ilp-mi"), s.seeds.count < FrontAnalysis.seedsForSignificance, r.methods.count > 1 {
            out += "note: \(s.seeds.count) seed\(s.seeds.count == 1 ? "" : "s"): a paired test needs at least \(FrontAnalysis.seedsForSignificance) seeds to reach p < 0.05 (use --seeds 1,2,…,6)\n"
        }
        out += String(format: "time: %.2f s (importance %.2f s, table %.2f s, allocations %.2f s, nsga2 %.2f s, scoring %d allocations on report %.2f s)\n",
                      r.timings.totalSeconds, r.timings.importanceSeconds, r.timings.tableSeconds, r.timings.allocationSeconds,
                      r.timings.nsga2Seconds, r.reportScored, r.timings.reportScoringSeconds)
        if let st = r.searchStatistics {
            out += "nsga2 on search: \(st.scored) allocations scored (\(st.cacheHits) repeats"
            if st.batched > 0 {
                out += String(format: "; %d in generation batches sharing first-layer terms: %.1f channel terms computed per allocation instead of %d",
                              st.batched, Double(st.termsComputed) / Double(st.batched), r.points.first?.bits.count ?? 0)
            }
            if st.deltas > 0 { out += "; \(st.deltas) updated from a cached relative" }
            out += ")\n"
        }
        out += asked
        out += "wrote " + files.map { dir + $0 }.joined(separator: ", ") + "\n"
        out += "re-score a point: mipareto evaluate \(bundle) --split report --allocation FILE (FILE: {\"bits\": [the row's bits, split at -]})\n"
        return out
    }
}
