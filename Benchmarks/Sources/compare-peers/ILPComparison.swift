import Allocation
import ArgumentParser
import Foundation

/// `compare-peers ilp`: the bit-allocation integer program (issue 5). The peer script
/// (`peers/ilp_highs.py`) makes the peers' ILP instances, writes them as
/// problem files, and solves them with scipy's HiGHS `milp` (and the exact numpy DP where cheap);
/// this reads the same files and times `ExactSolver` and `GLPKSolver` on the same numbers.
struct ILPComparison: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ilp",
        abstract: "Exact solver and GLPK path against scipy HiGHS milp on the ilp_peers.py instances.")

    @Option(parsing: .upToNextOption, help: "Channel counts.")
    var channels: [Int] = [64, 256, 1024, 4096]
    @Option(parsing: .upToNextOption, help: "Instance seeds (numpy).")
    var seeds: [Int] = [1, 2, 3]
    @Option(parsing: .upToNextOption, help: "uniform (S_c = 196) and/or hetero (S_c in {49,196,784,3136}).")
    var variants: [String] = ["uniform", "hetero"]
    @Option(help: "Timed runs of the exact solver per instance (median reported).")
    var runs = 7
    @Option(help: "Skip the GLPK path above this many channels.")
    var glpkMaxChannels = 4096
    @Flag(help: "GLPK without its MIP presolver (glp_simplex, then glp_intopt): slower, a second opinion at C = 4096.")
    var glpkPrimal = false

    struct Row {
        var variant: String, channels: Int, seed: Int
        var exactSeconds: Double, glpkSeconds: Double?, highsSeconds: Double, dpSeconds: Double?
        var exact: Double, bound: Double, glpk: Double?, highs: Double, dp: Double?
        var core: Int
    }

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-ilp-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        print("peer: scipy HiGHS milp (mip_rel_gap 0), the peers' instances; running it…")
        let peer = try PeerRunner.runJSON(script: "ilp_highs.py", arguments:
            ["--out", directory.path, "--C"] + channels.map(String.init) + ["--seeds"] + seeds.map(String.init)
            + ["--variants"] + variants)
        guard let instances = peer["instances"] as? [[String: Any]] else { throw PeerError(message: "peer: no instances") }
        if let versions = peer["versions"] as? [String: Any] { print("peer versions: \(versions)") }

        var rows: [Row] = []
        for instance in instances {
            guard let file = instance["file"] as? String, let variant = instance["variant"] as? String,
                  let c = instance["C"] as? Int, let seed = instance["seed"] as? Int,
                  let highsSeconds = instance["highsSeconds"] as? Double, let highs = instance["highsObjective"] as? Double
            else { throw PeerError(message: "peer: malformed instance \(instance)") }
            let problem = try AllocationProblem(contentsOf: URL(fileURLWithPath: file))
            var result = try ExactSolver.solveWithStatistics(problem)
            // Median of the solve alone (what `mipareto solve` reports as seconds).
            var times: [Double] = []
            for _ in 0..<runs {
                result = try ExactSolver.solveWithStatistics(problem)
                times.append(result.solution.seconds)
            }
            times.sort()
            let exact = result.solution
            precondition(problem.isFeasible(exact.bits), "exact solver returned an infeasible allocation")
            var glpk: AllocationSolution?
            if c <= glpkMaxChannels {
                glpk = GLPKSolver(presolve: !glpkPrimal).solve(problem)
                if glpk?.status != .optimal { print("  GLPK status \(glpk!.status): \(glpk!.message)") }
            }
            let row = Row(variant: variant, channels: c, seed: seed, exactSeconds: times[times.count / 2],
                          glpkSeconds: glpk?.seconds, highsSeconds: highsSeconds, dpSeconds: instance["dpSeconds"] as? Double,
                          exact: exact.objective, bound: result.statistics.lowerBound, glpk: glpk?.objective, highs: highs,
                          dp: instance["dpObjective"] as? Double, core: result.statistics.coreChannels)
            rows.append(row)
            print(String(format: "%@ C=%d seed=%d: exact %.3f ms (core %d ch, peak %d states), GLPK %@, HiGHS %.3f s; objective exact %.17g, rel. diff HiGHS %.1e, GLPK %@, DP %@; LP gap %.1e",
                         variant, c, seed, row.exactSeconds * 1e3, row.core, result.statistics.peakStates,
                         row.glpkSeconds.map { String(format: "%.3f s", $0) } ?? "skipped", highsSeconds, exact.objective,
                         (highs - exact.objective) / exact.objective,
                         row.glpk.map { String(format: "%.1e", ($0 - exact.objective) / exact.objective) } ?? "—",
                         row.dp.map { String(format: "%.1e", ($0 - exact.objective) / exact.objective) } ?? "—",
                         (exact.objective - row.bound) / exact.objective))
        }

        print("\nmedian over seeds (max in brackets); ratio = peer time / exact time; rel. diff = (other − exact)/exact, max over seeds")
        print("| variant | C | exact [ms] | GLPK [s] | HiGHS [s] | HiGHS/exact | GLPK/exact | rel diff HiGHS | rel diff GLPK | rel diff DP | exact ≤ all |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for variant in variants {
            for c in channels {
                let group = rows.filter { $0.variant == variant && $0.channels == c }
                guard !group.isEmpty else { continue }
                let exactMs = median(group.map { $0.exactSeconds * 1e3 }), exactMax = group.map { $0.exactSeconds * 1e3 }.max()!
                let highsS = median(group.map(\.highsSeconds))
                let glpkTimes = group.compactMap(\.glpkSeconds)
                let glpkS = glpkTimes.isEmpty ? nil : median(glpkTimes)
                func maxDiff(_ key: (Row) -> Double?) -> String {
                    let diffs = group.compactMap { r in key(r).map { abs($0 - r.exact) / r.exact } }
                    return diffs.isEmpty ? "—" : String(format: "%.1e", diffs.max()!)
                }
                let notWorse = group.allSatisfy { r in
                    [r.highs, r.glpk, r.dp].compactMap { $0 }.allSatisfy { r.exact <= $0 * (1 + 1e-12) }
                }
                print(String(format: "| %@ | %d | %.3f (%.3f) | %@ | %.3f | %.0f× | %@ | %@ | %@ | %@ | %@ |",
                             variant, c, exactMs, exactMax, glpkS.map { String(format: "%.3f", $0) } ?? "—", highsS,
                             highsS / (exactMs / 1e3), glpkS.map { String(format: "%.0f×", $0 / (exactMs / 1e3)) } ?? "—",
                             maxDiff { $0.highs }, maxDiff { $0.glpk }, maxDiff { $0.dp }, notWorse ? "yes" : "NO"))
            }
        }
        print("")
        for (variant, c, target) in [("uniform", 1024, 10.0), ("hetero", 4096, 100.0)] {
            let group = rows.filter { $0.variant == variant && $0.channels == c }
            guard !group.isEmpty else { continue }
            let worst = group.map { $0.exactSeconds * 1e3 }.max()!
            reportRatio("\(variant) C=\(c) exact solver (median over seeds)", oursSeconds: median(group.map(\.exactSeconds)),
                        peerName: "HiGHS milp", peerSeconds: median(group.map(\.highsSeconds)))
            print(String(format: "target %@ C=%d ≤ %.0f ms: worst seed %.3f ms → %@", variant, c, target, worst, worst <= target ? "met" : "NOT met"))
        }
    }

    private func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
