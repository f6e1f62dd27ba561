import ArgumentParser
import BenchmarkProblems
import Foundation
import MultiObjective

/// `compare-peers nsga2`: NSGA-II on ZDT1 (and the other quality problems) against pymoo and
/// pygmo, same population (100), budget (25 000 evaluations) and seeds (1…5), same run. Prints
/// per library the median hypervolume and the median wall time (whole run, initial population
/// included), and the ratios.
struct NSGA2Comparison: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nsga2",
        abstract: "NSGA-II: MIPareto vs pymoo and pygmo (HV and wall time, median of the seeds).")

    @Option(help: "Comma-separated problems.") var problems = "zdt1,zdt2,zdt3,dtlz2"
    @Option(help: "Seeds 1…N.") var seeds = 5
    @Option(help: "Evaluations per run (population 100).") var evaluations = 25_000
    @Flag(help: "Skip the Python peers.") var noPeers = false

    func run() throws {
        print("problem | lib      | HV median | HV min–max        | wall median [s] | wall min–max [s]  | cpu median [s] | peer/MIPareto wall (cpu)")
        for name in problems.split(separator: ",").map(String.init) {
            let problem = try TestProblems.make(name)
            // Warm-up (page faults, lazy symbol binding), not timed.
            _ = try NSGA2(problem: problem, seed: 0).run(until: .evaluations(400))
            var ours = Runs(), peers: [String: Runs] = ["pymoo": Runs(), "pygmo": Runs()]
            // Seed by seed, ours then the peers' (each in a fresh process after its own warm-up), so
            // all libraries see the same machine load on a shared machine.
            for seed in 1...seeds {
                var front: [[Double]] = []
                let cpu0 = processCPUSeconds()
                let wall = try Stopwatch.seconds {
                    let nsga = try NSGA2(problem: problem, seed: UInt64(seed))
                    nsga.run(until: .evaluations(evaluations))
                    front = nsga.front
                }
                ours.add(wall: wall, cpu: processCPUSeconds() - cpu0, hv: Hypervolume.compute(front, reference: problem.referencePoint))
                guard !noPeers else { continue }
                let peer = try PeerRunner.runJSON(script: "nsga2_peer.py", arguments:
                    ["--problem", name, "--evals", String(evaluations), "--seeds", String(seed)])
                for run in peer["runs"] as? [[String: Any]] ?? [] {
                    guard let lib = run["lib"] as? String, let w = run["wall"] as? Double, let c = run["cpu"] as? Double,
                          let h = run["hv"] as? Double else { continue }
                    peers[lib, default: Runs()].add(wall: w, cpu: c, hv: h)
                }
            }
            printRow(name, "MIPareto", ours, reference: nil)
            for lib in ["pymoo", "pygmo"] where !(peers[lib]?.wall.isEmpty ?? true) {
                printRow(name, lib, peers[lib]!, reference: ours)
            }
        }
    }

    struct Runs {
        var wall: [Double] = [], cpu: [Double] = [], hv: [Double] = []
        mutating func add(wall w: Double, cpu c: Double, hv h: Double) { wall.append(w); cpu.append(c); hv.append(h) }
    }

    private func printRow(_ problem: String, _ lib: String, _ r: Runs, reference: Runs?) {
        let ratio = reference.map { String(format: "%.1f× (%.1f×)", median(r.wall) / median($0.wall), median(r.cpu) / median($0.cpu)) } ?? ""
        print(problem.padding(toLength: 7, withPad: " ", startingAt: 0) + " | " + lib.padding(toLength: 8, withPad: " ", startingAt: 0)
              + String(format: " | %.5f   | %.5f–%.5f   | %.4f          | %.4f–%.4f     | %.4f         | ",
                       median(r.hv), r.hv.min()!, r.hv.max()!, median(r.wall), r.wall.min()!, r.wall.max()!, median(r.cpu))
              + ratio)
    }
}

/// CPU time of this process so far (user + system), less sensitive than wall time to other load.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Writes points row-major as raw little-endian float64 (numpy's `fromfile`) to a temporary file.
func writeRawPoints(_ points: [[Double]], name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-\(name)-\(getpid()).f64")
    var flat = points.flatMap { $0 }
    let data = flat.withUnsafeMutableBytes { Data($0) }
    try data.write(to: url)
    return url
}
