import Allocation
import ArgumentParser
import Basics
import FeatureData
import Foundation
import Importance
import MultiObjective
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
                              split (even eval samples)

        Honest evaluation: every point of every method is scored on the `report` split (odd eval \
        samples), which NSGA-II never sees; `mipareto evaluate BUNDLE --split report --allocation F` \
        re-scores any point. Hypervolume (DESIGN.md): objectives bpe/max-bits and per task \
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

    @Option(help: ArgumentHelp("Comma-separated methods (see above).", valueName: "m,…"))
    var methods: String

    @Option(help: ArgumentHelp("Budgets of the ilp-*/twolevel-* sweeps in bits per element: a:step:b or a list (default 0.25:0.25:max-bits).", valueName: "a:step:b"))
    var budgets: String?

    @Option(name: .customLong("max-bits"), help: ArgumentHelp("Largest bit depth of a channel (1…16).", valueName: "B"))
    var maxBits: Int = 8

    @Option(help: ArgumentHelp("Comma-separated seeds; seeded methods run once per seed.", valueName: "s,…"))
    var seeds: String = "1"

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

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if checkpoint != nil && resume != nil { throw ValidationError("give --checkpoint DIR or --resume DIR, not both") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("--output \(output): is a file, not a folder")
        }
        _ = try settings()
    }

    func settings() throws -> FrontSettings {
        do {
            let parsed = try FrontMethod.parseList(methods)
            let budgetList = try budgets.map { text throws(AllocationError) in try FrontSettings.parseBudgets(text) }
                ?? (try FrontSettings.parseBudgets("0.25:0.25:\(maxBits)"))
            let settings = FrontSettings(methods: parsed, budgets: budgetList, maxBits: maxBits, seeds: try FrontSettings.parseSeeds(seeds),
                                         population: population, generations: generations, seedFromILP: seedFromILP)
            try settings.validate()
            return settings
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        let settings = try settings()
        let featureBundle = try FeatureBundle(directory: bundle)
        let result: FrontResult
        do {
            let runner = try FrontRunner(bundle: featureBundle, settings: settings)
            let identity = FrontCheckpoint.Identity(bundle: featureBundle.name, fingerprint: FrontCheckpoint.fingerprint(of: featureBundle), settings: settings)
            let store: FrontCheckpoint?
            if let resume {
                store = try FrontCheckpoint(resuming: URL(fileURLWithPath: resume), identity: identity)
            } else if let checkpoint {
                store = try FrontCheckpoint(creating: URL(fileURLWithPath: checkpoint), identity: identity)
            } else {
                store = nil
            }
            let bar = ProgressLine(enabled: !outputOptions.quiet && isatty(STDERR_FILENO) != 0)
            result = try runner.run(checkpoint: store, progress: bar.show)
            bar.finish()
        } catch let error as ExitStatusError {
            throw error
        } catch {
            // Library errors here are about the input (settings, bundle, checkpoint): exit 2.
            throw ExitStatusError.invalidInput("\(error)")
        }

        // Every file is made before any is written; then each is written atomically.
        let summary = Self.summary(result)
        let frontTable = Self.table(result)
        var files: [(String, String)] = [
            ("front.csv", frontTable.csv.text),
            ("summary.json", summary.rendered(pretty: true) + "\n"),
            ("front.svg", FrontChart.chart(title: Self.chartTitle(result),
                                           runs: [FrontChart.Run(label: nil, table: Self.firstSeed(frontTable, result))],
                                           clean: Dictionary(uniqueKeysWithValues: zip(result.taskNames, result.clean)),
                                           metricNames: Dictionary(uniqueKeysWithValues: zip(result.taskNames, result.metricNames))).svg()),
        ]
        if let mi = result.miScores {
            files.append(("importance.svg", ImportanceCommand.heatMap(mi, bundle: result.bundle).svg()))
        }
        if let chart = Self.selectChart(result) { files.append(("select.svg", chart.svg())) }
        let directory = URL(fileURLWithPath: output)
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw ExitStatusError.invalidInput("--output \(output): cannot create the folder: \(error.localizedDescription)")
        }
        for (name, text) in files {
            do { try AtomicFile.write(text, to: directory.appendingPathComponent(name)) } catch {
                throw ExitStatusError(message: "\(error)", status: 1)
            }
        }
        outputOptions.emit(json: summary, text: text(result, files: files.map(\.0)))
    }

    // MARK: - Files

    static func table(_ r: FrontResult) -> FrontTable {
        FrontTable(taskNames: r.taskNames, points: r.points.map { p in
            FrontTable.Point(method: p.method, seed: p.seed, bpe: p.bpe, bitsPerSample: p.bitsPerSample,
                             entropyBitsPerSample: p.entropyBitsPerSample, metrics: p.metrics, nondominated: p.nondominated, bits: p.bits)
        })
    }

    /// The chart shows one seed: ten seeds of NSGA-II clouds would hide every other curve
    /// (`mipareto report DIR` replots every seed of front.csv).
    static func firstSeed(_ table: FrontTable, _ r: FrontResult) -> FrontTable {
        FrontTable(taskNames: table.taskNames, points: table.points.filter { $0.seed == r.settings.seeds[0] })
    }

    static func chartTitle(_ r: FrontResult) -> String {
        let seeds = r.settings.seeds.count > 1 ? ", seed \(r.settings.seeds[0]) of \(r.settings.seeds.count)" : ""
        return "\(r.bundle): rate vs task metric (report split, \(r.reportSamples) samples\(seeds))"
    }

    static func summary(_ r: FrontResult) -> JSONValue {
        let comparisons: [(String, JSONValue)] = r.comparisons.map { entry in
            (entry.method, .object([
                ("wilcoxonP", entry.comparison.wilcoxonP.map { .number($0) } ?? .null),
                ("seeds", .int(entry.comparison.seeds)),
                ("meanDifference", .number(entry.comparison.meanDifference)),
            ]))
        }
        var members: [(String, JSONValue)] = [
            ("bundle", .string(r.bundle)),
            ("split", .string("report")),
            ("samples", .int(r.reportSamples)),
            ("clean", .object(zip(r.taskNames, r.clean).map { ($0, .number($1)) })),
            ("metricNames", .object(zip(r.taskNames, r.metricNames).map { ($0, .string($1)) })),
            ("maxBits", .int(r.settings.maxBits)),
            ("seeds", .ints(r.settings.seeds)),
            ("budgets", .numbers(r.settings.budgets)),
            ("methods", .object(r.methods.map { m in
                (m.name, .object([
                    ("hypervolume", .number(m.hypervolume)),
                    ("hypervolumeSd", .number(m.hypervolumeSD)),
                    ("hypervolumePerSeed", .numbers(m.hypervolumePerSeed)),
                    ("points", .int(m.points)),
                    ("front", .array(m.front.map { .numbers($0) })),
                ]))
            })),
            ("comparisons", .object(comparisons)),
        ]
        members.append(("comparisonsNote", .string(comparisonNote(r))))
        if r.settings.methods.contains("nsga2") {
            members.append(("nsga2", .object([
                ("population", .int(r.settings.population)),
                ("generations", .int(r.settings.generations)),
                ("seedFromIlp", .bool(r.settings.seedFromILP)),
                ("searchSplit", .string("search")),
            ])))
        }
        return .object(members)
    }

    static func comparisonNote(_ r: FrontResult) -> String {
        guard r.settings.methods.contains("ilp-mi") else { return "no comparisons: ilp-mi did not run" }
        let n = r.settings.seeds.count
        var note = "paired Wilcoxon signed-rank test (two-sided) of ilp-mi's hypervolume against each method over \(n) seed\(n == 1 ? "" : "s"); null p: every difference is 0"
        if n < FrontAnalysis.seedsForSignificance {
            note += "; with fewer than \(FrontAnalysis.seedsForSignificance) seeds no p-value can fall below 0.05, so these are not evidence either way"
        }
        return note
    }

    /// One panel per task: the metric against the number of channels kept at --max-bits, one line per
    /// select-* method (first seed), clean dashed.
    static func selectChart(_ r: FrontResult) -> Chart? {
        let selects = r.settings.methods.filter { $0.hasPrefix("select-") }
        guard !selects.isEmpty else { return nil }
        let first = r.settings.seeds[0]
        let panels = r.taskNames.enumerated().map { t, task in
            ChartPanel(title: task, xLabel: "channels kept at \(r.settings.maxBits) bits (k)", yLabel: FrontChartLabel.axis(r.metricNames[t]),
                       series: selects.map { name in
                           let pts = r.points.filter { $0.method == name && $0.seed == first }
                               .map { p in (x: Double(p.bits.filter { $0 > 0 }.count), y: p.metrics[t]) }
                           return ChartSeries(name: name, points: pts, style: .lineAndMarkers)
                       },
                       referenceLines: [ReferenceLine(y: r.clean[t], label: "clean")])
        }
        return Chart(title: "\(r.bundle): hard selection on report (top-k channels at \(r.settings.maxBits) bits, the rest dropped)", panels: panels)
    }

    // MARK: - Text

    func text(_ r: FrontResult, files: [String]) -> String {
        let s = r.settings
        var out = "\(r.bundle): fronts of \(s.methods.count) method\(s.methods.count == 1 ? "" : "s") over \(s.seeds.count) seed\(s.seeds.count == 1 ? "" : "s"), every point scored on the report split (odd eval samples, \(r.reportSamples))"
        out += s.methods.contains("nsga2") ? "; nsga2 searched on the search split (even eval samples)\n" : "\n"
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
        let dir = output.hasSuffix("/") ? output : output + "/"
        out += "wrote " + files.map { dir + $0 }.joined(separator: ", ") + "\n"
        out += "re-score a point: mipareto evaluate \(bundle) --split report --allocation FILE (FILE: {\"bits\": [the row's bits, split at -]})\n"
        return out
    }
}

/// Axis labels with units, as FrontChart writes them.
enum FrontChartLabel {
    static func axis(_ metric: String) -> String {
        switch metric {
        case "psnr": return "PSNR [dB]"
        case "miou": return "mIoU"
        default: return metric
        }
    }
}

/// A one-line progress display on stderr (only when enabled: a terminal and no --quiet).
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    private var shown = false
    init(enabled: Bool) { self.enabled = enabled }

    func show(_ p: FrontProgress) {
        guard enabled else { return }
        let width = 24
        let perSeed = Double(p.methodCount)
        var done = Double(p.seedIndex) * perSeed + Double(p.methodIndex)
        if let g = p.generation { done += Double(g) / Double(max(1, p.generations)) }
        let fraction = min(1, done / (Double(p.seedCount) * perSeed))
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var line = "\rfront [\(bar)] seed \(p.seed) (\(p.seedIndex + 1)/\(p.seedCount)) \(p.method)"
        if let g = p.generation { line += " generation \(g)/\(p.generations)" }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
        shown = true
    }

    func finish() {
        if enabled && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
