import ArgumentParser
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
        print("problem | lib      | HV median | HV min–max        | wall median [s] | wall min–max [s]  | peer/MIPareto")
        for name in problems.split(separator: ",").map(String.init) {
            let problem = try TestProblems.make(name)
            // Warm-up (page faults, lazy symbol binding), not timed.
            _ = try NSGA2(problem: problem, seed: 0).run(until: .evaluations(400))
            var walls: [Double] = [], hvs: [Double] = []
            for seed in 1...seeds {
                var front: [[Double]] = []
                let t = try Stopwatch.seconds {
                    let nsga = try NSGA2(problem: problem, seed: UInt64(seed))
                    nsga.run(until: .evaluations(evaluations))
                    front = nsga.front
                }
                walls.append(t)
                hvs.append(Hypervolume.compute(front, reference: problem.referencePoint))
            }
            let ours = median(walls)
            printRow(name, "MIPareto", hvs, walls, ratio: nil)
            guard !noPeers else { continue }
            let peer = try PeerRunner.runJSON(script: "nsga2_peer.py", arguments:
                ["--problem", name, "--evals", String(evaluations), "--seeds"] + (1...seeds).map(String.init))
            let runs = peer["runs"] as? [[String: Any]] ?? []
            for lib in ["pymoo", "pygmo"] {
                let rs = runs.filter { $0["lib"] as? String == lib }
                let w = rs.compactMap { $0["wall"] as? Double }, h = rs.compactMap { $0["hv"] as? Double }
                guard !w.isEmpty else { continue }
                printRow(name, lib, h, w, ratio: median(w) / ours)
            }
        }
    }

    private func printRow(_ problem: String, _ lib: String, _ hv: [Double], _ wall: [Double], ratio: Double?) {
        let r = ratio.map { String(format: "%.1f×", $0) } ?? ""
        print(String(format: "%-7@ | %-8@ | %.5f   | %.5f–%.5f   | %.4f          | %.4f–%.4f     | %@",
                     problem, lib, median(hv), hv.min()!, hv.max()!, median(wall), wall.min()!, wall.max()!, r))
    }
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
