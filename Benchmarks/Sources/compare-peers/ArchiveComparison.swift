import ArgumentParser
import Experiments
import FeatureData
import Foundation
import Inference
import Reporting

/// `compare-peers archive`: the done-when table of issue 14. For every bundle with heads under
/// `../shared/data` (or `--bundles`), for each seed, one `front` run (`FrontRunner`, what `mipareto
/// front` calls) of the ILP methods, uniform, and the archived searches `nsga2`/`nsga3` seeded
/// with them (`--seed-from-ilp`); every method's allocations are also scored on `search` (the
/// split the searches saw), so the table shows the hypervolume on both splits. The claim: on
/// `search` each search ≥ every ILP method it was seeded with (by construction of the archive);
/// on `report`, within 0.001 of the best of them or above. Prints a Markdown table. With
/// `--demo-timing`, times one `front` run of the demo's methods instead (done-when 3: ≤ 30 s).
struct ArchiveComparison: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "archive",
        abstract: "Issue 14's done-when table: archived nsga2/nsga3 seeded from ILP vs the ILP methods, HV on search and report, per seed.")

    @Option(help: "Bundle directories, comma-separated (default: every bundle with heads in ../shared/data).") var bundles: String?
    @Option(help: "Methods: the ILP seeds, uniform, the searches.") var methods = "ilp-mi,ilp-l1,ilp-sensitivity,uniform,nsga2,nsga3"
    @Option(help: "Seeds, comma-separated.") var seeds = "1,2,3,4,5,6"
    @Option(help: "Population.") var population = 64
    @Option(help: "Generations.") var generations = 50
    @Flag(help: "Instead of the table: time one `front` run of the demo's methods on the first bundle (seed 1).") var demoTiming = false
    @Option(help: "Methods of --demo-timing (examples/demo.sh).") var demoMethods = "ilp-mi,ilp-sensitivity,ilp-l1,uniform,nsga2"

    func run() throws {
        let paths = try bundles.map { $0.split(separator: ",").map(String.init) } ?? Self.sharedBundles()
        let parsed = try FrontMethod.parseList(methods)
        let ilp = parsed.filter { if case .ilp = $0 { return true } else { return false } }.map(\.name)
        let searches = parsed.filter(\.isSearch).map(\.name)
        if demoTiming { return try timeDemo(paths[0]) }
        print("| bundle | algorithm | seed | HV search: search | HV search: best seeded ILP | HV report: search | HV report: best seeded ILP | search ≥ ILP | report ≥ ILP − 0.001 |")
        print("|---|---|---:|---:|---:|---:|---:|---|---|")
        var failures = 0
        var methodRows: [String] = []
        for path in paths {
            let bundle = try FeatureBundle(directory: path)
            let settings = FrontSettings(methods: parsed, maxBits: 8, seeds: try FrontSettings.parseSeeds(seeds),
                                         population: population, generations: generations, seedFromILP: true)
            let started = Date()
            let result = try FrontRunner(bundle: bundle, settings: settings).run()
            let seconds = Date().timeIntervalSince(started)
            let search = IncrementalScorer(bundle: bundle, split: .search, quantiser: Quantiser(fitOf: bundle))
            let cleanSearch = search.scoreClean().tasks.map(\.metric)
            for (s, seed) in settings.seeds.enumerated() {
                var searchHV: [String: Double] = [:], reportHV: [String: Double] = [:]
                for m in result.methods {
                    let bits = result.points.filter { $0.method == m.name && $0.seed == seed }.map(\.bits)
                    // In batches of a generation's size: a batch's memory grows with its allocations.
                    let evaluations = stride(from: 0, to: bits.count, by: 64).flatMap { search.score(batch: Array(bits[$0..<min(bits.count, $0 + 64)])) }
                    let points = zip(bits, evaluations).map { b, e in
                        FrontAnalysis.Point(bpe: Rate(bits: b, channelShape: bundle.channelShape).bpe, metrics: e.tasks.map(\.metric))
                    }
                    searchHV[m.name] = FrontAnalysis.hypervolume(points, clean: cleanSearch, maxBits: 8)
                    reportHV[m.name] = m.hypervolumePerSeed[s]
                }
                let bestSearch = ilp.map { searchHV[$0]! }.max() ?? 0, bestReport = ilp.map { reportHV[$0]! }.max() ?? 0
                let bestSearchName = ilp.max { searchHV[$0]! < searchHV[$1]! } ?? "–"
                let bestReportName = ilp.max { reportHV[$0]! < reportHV[$1]! } ?? "–"
                for name in searches {
                    let okSearch = searchHV[name]! >= bestSearch, okReport = reportHV[name]! >= bestReport - 0.001
                    if !(okSearch && okReport) { failures += 1 }
                    print("| \(bundle.name) | \(name) | \(seed) | " + String(format: "%.5f | %.5f (%@) | %.5f | %.5f (%@) | ",
                          searchHV[name]!, bestSearch, bestSearchName, reportHV[name]!, bestReport, bestReportName)
                          + "\(okSearch ? "yes" : "NO") | \(okReport ? "yes" : "NO") |")
                }
                for name in ilp + ["uniform"] + searches where searchHV[name] != nil {
                    methodRows.append("| \(bundle.name) | \(seed) | \(name) | " + String(format: "%.5f | %.5f |", searchHV[name]!, reportHV[name]!))
                }
            }
            print(String(format: "\n%@: %d seeds in %.1f s (importance %.1f s, searches %.1f s, report scoring of %d allocations %.1f s)\n",
                         bundle.name, settings.seeds.count, seconds, result.timings.importanceSeconds, result.timings.nsga2Seconds,
                         result.reportScored, result.timings.reportScoringSeconds))
            if let bd = FrontBDRate.table(FrontTable(taskNames: result.taskNames, points: result.points)) {
                print("BD-rate against uniform (%, mean over seeds): " + bd.methods.enumerated().map { k, m in
                    "\(m) " + bd.taskNames.indices.map { t in bd.percent[t][k].map { String(format: "%+.1f", $0) } ?? "n/a" }.joined(separator: "/")
                }.joined(separator: "; ") + " (tasks " + bd.taskNames.joined(separator: "/") + ")\n")
            }
        }
        print("Every method, both splits:\n\n| bundle | seed | method | HV search | HV report |\n|---|---:|---|---:|---:|")
        methodRows.forEach { print($0) }
        print("\nload average at the end: \(Self.loadAverage())")
        print(failures == 0 ? "every search meets both claims on every seed" : "\(failures) (bundle, seed, search) rows miss a claim")
    }

    /// Done-when 3 of issue 14: one `front` run with the demo's methods (examples/demo.sh) on the
    /// bundle, one seed, the CLI's default P and G, loading included, timed as a whole.
    func timeDemo(_ path: String) throws {
        let before = Self.loadAverage()
        var result: FrontResult?
        let seconds = try Stopwatch.seconds {
            let bundle = try FeatureBundle(directory: path)
            let settings = FrontSettings(methods: try FrontMethod.parseList(demoMethods), maxBits: 8, seeds: [1],
                                         population: population, generations: generations, seedFromILP: true)
            result = try FrontRunner(bundle: bundle, settings: settings).run()
        }
        let r = result!
        print("front \(path) --methods \(demoMethods) --seed-from-ilp --seeds 1 --population \(population) --generations \(generations)")
        print(String(format: "whole run: %.2f s (target ≤ 30 s): importance %.2f, distortion table %.2f, allocations %.2f, searches %.2f, report scoring of %d allocations %.2f",
                     seconds, r.timings.importanceSeconds, r.timings.tableSeconds, r.timings.allocationSeconds,
                     r.timings.nsga2Seconds, r.reportScored, r.timings.reportScoringSeconds))
        print("load average before: \(before), after: \(Self.loadAverage())")
        print(seconds <= 30 ? "met" : "NOT met")
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    /// Every folder of `../shared/data` whose bundle loads (the heads are part of a valid bundle).
    static func sharedBundles() throws -> [String] {
        let root = PeerRunner.sharedDirectory.appendingPathComponent("data")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let found = names.sorted().map { root.appendingPathComponent($0).path }
            .filter { FileManager.default.fileExists(atPath: $0 + "/bundle.json") && FileManager.default.fileExists(atPath: $0 + "/heads") }
        guard !found.isEmpty else { throw PeerError(message: "\(root.path): no bundle with heads (the archive table needs ../shared/data)") }
        return found
    }
}
