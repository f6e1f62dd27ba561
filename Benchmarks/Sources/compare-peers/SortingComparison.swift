import ArgumentParser
import Basics
import Foundation
import MultiObjective

/// `compare-peers sorting`: non-dominated sorting (all fronts) of 10 000 uniform random points in
/// [0,1]^M, M = 2 and 3, against moocore's `pareto_rank` (C) and pymoo, on the same points; also
/// checks that the ranks are identical.
struct SortingComparison: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sorting",
        abstract: "Non-dominated sorting of 10 000 points: MIPareto vs moocore.pareto_rank and pymoo.")

    @Option(help: "Points.") var count = 10_000
    @Option(help: "Timed repeats (median reported).") var repeats = 21

    func run() throws {
        for m in [2, 3] {
            var random = SeededRandom(seed: 0)
            let points = (0..<count).map { _ in (0..<m).map { _ in random.nextUnit() } }
            let flat = points.flatMap { $0 }
            var methods: [NonDominatedSortMethod] = [.automatic, .efficientBinary]
            if m == 2 { methods.insert(.sweep2D, at: 1) } else { methods.insert(.sweep3D, at: 1) }
            var ours: [NonDominatedSortMethod: Double] = [:]
            var ranks: [Int] = []
            for method in methods {
                ours[method] = Stopwatch.median(runs: repeats) {
                    ranks = flat.withUnsafeBufferPointer { NonDominatedSorting.ranks($0, count: count, dimension: m, method: method) }
                }
            }
            let file = try writeRawPoints(points, name: "sort\(m)")
            let ranksFile = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-ranks-\(getpid()).i64")
            defer { try? FileManager.default.removeItem(at: file); try? FileManager.default.removeItem(at: ranksFile) }
            let peer = try PeerRunner.runJSON(script: "nsga2_sorting_peer.py", arguments:
                ["--points", file.path, "--dimension", String(m), "--repeats", String(repeats), "--ranks-out", ranksFile.path])
            let peerData = try Data(contentsOf: ranksFile)
            let peerRanks: [Int] = peerData.withUnsafeBytes { raw in raw.bindMemory(to: Int64.self).map { Int($0) } }
            let moocore = (peer["moocore.pareto_rank"] as? [String: Any])?["median"] as? Double ?? .nan
            let pymoo = (peer["pymoo NonDominatedSorting"] as? [String: Any])?["median"] as? Double ?? .nan
            print("N=\(count) M=\(m): \((ranks.max() ?? -1) + 1) fronts; ranks identical to moocore: \(peerRanks == ranks ? "yes" : "NO")")
            for method in methods {
                let name = ("MIPareto " + method.rawValue).padding(toLength: 28, withPad: " ", startingAt: 0)
                print(name + String(format: "%8.3f ms   moocore/ours %.2f×   pymoo/ours %.2f×",
                                    ours[method]! * 1e3, moocore / ours[method]!, pymoo / ours[method]!))
            }
            print("moocore.pareto_rank".padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%8.3f ms", moocore * 1e3))
            print("pymoo NonDominatedSorting".padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%8.3f ms", pymoo * 1e3))
        }
    }
}
