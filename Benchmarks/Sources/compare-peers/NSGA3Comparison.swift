import ArgumentParser
import BenchmarkProblems
import Foundation
import MultiObjective

/// `compare-peers nsga3`: NSGA-III against pymoo 0.6.2's `NSGA3` on DTLZ1 and DTLZ2 with 3 and 5
/// objectives, same budget as Deb & Jain 2014 (P = 92 / 212 with 91 / 210 Das–Dennis directions;
/// generations DTLZ1 400 / 600, DTLZ2 250 / 350), seeds 1…5, same run. Prints per library the
/// median hypervolume of the final population's non-dominated set (reference 0.6 for DTLZ1, 1.1
/// for DTLZ2), its spread over the seeds, and the median wall time.
struct NSGA3Comparison: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nsga3",
        abstract: "NSGA-III: MIPareto vs pymoo (HV median and spread over seeds, wall time).")

    @Option(help: "Comma-separated problem:objectives pairs.") var cases = "dtlz1:3,dtlz1:5,dtlz2:3,dtlz2:5"
    @Option(help: "Seeds 1…N.") var seeds = 5
    @Flag(help: "Skip the Python peer.") var noPeers = false
    @Flag(help: "Print every seed's hypervolume (full precision) and front size.") var verbose = false

    static let generations = ["dtlz1:3": 400, "dtlz1:5": 600, "dtlz2:3": 250, "dtlz2:5": 350]

    func run() throws {
        print("problem | M | lib      | P   | gens | HV median | HV min–max        | wall median [s] | pymoo/MIPareto wall")
        for key in cases.split(separator: ",").map(String.init) {
            let parts = key.split(separator: ":")
            guard parts.count == 2, let m = Int(parts[1]), let generations = Self.generations[key] else {
                throw ValidationError("--cases: \(key) is not one of \(Self.generations.keys.sorted().joined(separator: ", "))")
            }
            let name = String(parts[0])
            let problem = try TestProblems.make(name, objectives: m)
            let population = m == 3 ? 92 : 212
            let settings = AlgorithmSettings.nsga3(populationSize: population)
            var ours = (hv: [Double](), wall: [Double]()), peer = (hv: [Double](), wall: [Double]())
            _ = try GeneticAlgorithm(problem: problem, settings: settings, seed: 0).run(until: .generations(3))   // warm-up
            for seed in 1...seeds {
                var front: [[Double]] = []
                let wall = try Stopwatch.seconds {
                    let nsga = try GeneticAlgorithm(problem: problem, settings: settings, seed: UInt64(seed))
                    nsga.run(until: .generations(generations))
                    front = nsga.front
                }
                ours.hv.append(Hypervolume.compute(front, reference: problem.referencePoint))
                ours.wall.append(wall)
                if verbose { print("  \(key) seed \(seed): MIPareto HV \(ours.hv.last!) (\(front.count) points)") }
                guard !noPeers else { continue }
                let result = try PeerRunner.runJSON(script: "nsga3_peer.py", arguments:
                    ["--problem", name, "--objectives", String(m), "--seeds", String(seed)])
                for run in result["runs"] as? [[String: Any]] ?? [] {
                    guard let h = run["hv"] as? Double, let w = run["wall"] as? Double else { continue }
                    peer.hv.append(h)
                    peer.wall.append(w)
                    if verbose { print("  \(key) seed \(seed): pymoo HV \(h) (\(run["nd"] ?? "?") points)") }
                }
            }
            func row(_ lib: String, _ r: (hv: [Double], wall: [Double]), ratio: String) {
                print(name.padding(toLength: 7, withPad: " ", startingAt: 0) + " | \(m) | " + lib.padding(toLength: 8, withPad: " ", startingAt: 0)
                      + String(format: " | %-3d | %-4d | %.5f   | %.5f–%.5f   | %.4f          | ", population, generations,
                               median(r.hv), r.hv.min()!, r.hv.max()!, median(r.wall)) + ratio)
            }
            row("MIPareto", ours, ratio: "")
            if !peer.hv.isEmpty { row("pymoo", peer, ratio: String(format: "%.1f×", median(peer.wall) / median(ours.wall))) }
        }
    }
}
