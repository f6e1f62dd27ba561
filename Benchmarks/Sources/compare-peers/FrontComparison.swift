import ArgumentParser
import Allocation
import Experiments
import FeatureData
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `compare-peers front`: the whole `front` run of issue 6 on digits-pair (nine methods, one seed,
/// NSGA-II P = 64, G = 50 seeded from the ILP sweeps), timed in-process through `FrontRunner`
/// (what `mipareto front` calls), with the time of each part and the peak memory. There is no
/// Python peer for a whole run; the target is absolute: ≤ 30 s on 2 cores.
struct FrontComparison: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "front",
        abstract: "Time a whole `front` run on digits-pair (issue 6 target: ≤ 30 s on 2 cores) and report peak memory."
    )

    @Option(help: "Bundle directory (default: ../shared/data/digits-pair beside the repository).")
    var bundle: String?

    @Option(help: "Methods, comma-separated.")
    var methods = "ilp-mi,ilp-l1,ilp-variance,ilp-random,ilp-equal,twolevel-mi,select-mi,uniform,nsga2"

    @Option(help: "Seeds, comma-separated.")
    var seeds = "1"

    @Option(help: "NSGA-II population.")
    var population = 64

    @Option(help: "NSGA-II generations.")
    var generations = 50

    func run() throws {
        let path = bundle ?? PeerRunner.sharedDirectory.appendingPathComponent("data/digits-pair").path
        guard FileManager.default.fileExists(atPath: path + "/bundle.json") else {
            throw PeerError(message: "\(path): no bundle there (the front timing needs ../shared/data/digits-pair)")
        }
        var result: FrontResult?
        let seconds = try Stopwatch.seconds {
            // Loading counts: it is part of the run a user waits for.
            let featureBundle = try FeatureBundle(directory: path)
            let settings = FrontSettings(methods: try FrontMethod.parseList(methods), budgets: nil,
                                         maxBits: 8, seeds: try FrontSettings.parseSeeds(seeds), population: population,
                                         generations: generations, seedFromILP: true)
            result = try FrontRunner(bundle: featureBundle, settings: settings).run()
        }
        let r = result!
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        print("bundle \(path): \(r.settings.methods.count) methods, seeds \(r.settings.seeds), P = \(population), G = \(generations), --seed-from-ilp")
        print(String(format: "whole run: %.2f s (importance %.2f, distortion table %.2f, allocations %.2f, NSGA-II %.2f, scoring %d allocations on report %.2f)",
                     seconds, r.timings.importanceSeconds, r.timings.tableSeconds, r.timings.allocationSeconds,
                     r.timings.nsga2Seconds, r.reportScored, r.timings.reportScoringSeconds))
        if let s = r.searchStatistics {
            print(String(format: "NSGA-II on search: %d allocations scored (%d repeats, %d incremental with %.2f changed channels on average, %d full)",
                         s.scored, s.cacheHits, s.deltas, s.meanChangedChannels, s.full))
        }
        print(String(format: "peak memory (getrusage maxrss): %.0f MiB", Double(usage.ru_maxrss) / 1024))
        for m in r.methods { print("  " + m.name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: " hypervolume %.5f (%d points)", m.hypervolume, m.points)) }
        print(String(format: "target: ≤ 30 s on 2 cores (issue 6): %@", seconds <= 30 ? "met" : "NOT met"))
    }
}
