import ArgumentParser
import Basics
import Foundation
import MultiObjective

/// `compare-peers hypervolume`: exact 3-D hypervolume of 1 000 mutually non-dominated points on
/// the unit sphere's positive octant (|N(0, I)| normalised), reference (1.1, 1.1, 1.1), against
/// moocore, pygmo (hv3d) and pymoo on the same points. Also 2-D and a 5-D WFG case for reference.
struct HypervolumeComparison: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hypervolume",
        abstract: "Exact hypervolume, 1 000 points in 3-D: MIPareto vs moocore, pygmo, pymoo.")

    @Option(help: "Timed repeats (median reported).") var repeats = 21

    func run() throws {
        for (m, n) in [(3, 1000), (2, 1000), (5, 200)] {
            var random = SeededRandom(seed: 1)
            let points = (0..<n).map { _ -> [Double] in
                let v = (0..<m).map { _ in abs(random.nextNormal()) }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return v.map { $0 / norm }
            }
            let reference = Array(repeating: 1.1, count: m)
            var value = 0.0
            let ours = Stopwatch.median(runs: repeats) { value = Hypervolume.compute(points, reference: reference) }
            let file = try writeRawPoints(points, name: "hv\(m)")
            defer { try? FileManager.default.removeItem(at: file) }
            let peer = try PeerRunner.runJSON(script: "nsga2_hypervolume_peer.py", arguments:
                ["--points", file.path, "--repeats", String(repeats), "--reference"] + reference.map { String($0) })
            print("M=\(m), \(n) non-dominated points on the unit sphere, ref 1.1:")
            print("MIPareto".padding(toLength: 36, withPad: " ", startingAt: 0) + String(format: "%8.4f ms  HV %.12f", ours * 1e3, value))
            for (name, entry) in peer.sorted(by: { $0.key < $1.key }) {
                guard let e = entry as? [String: Any], let t = e["median"] as? Double, let v = e["value"] as? Double else { continue }
                print(name.padding(toLength: 36, withPad: " ", startingAt: 0)
                      + String(format: "%8.4f ms  HV %.12f  |Δ| %.1e  peer/ours %.1f×", t * 1e3, v, abs(v - value), t / ours))
            }
        }
    }
}
