import Allocation
import ArgumentParser
import FeatureData
import Foundation

/// `compare-peers distortion`: the distortion table D_c(b) of docs/allocation.md on a bundle's
/// fit split (ranges, means and every depth 0…B), MIPareto's `DistortionTable` against the numpy
/// peer `peers/distortion_table.py`, same bundle, same run; also the largest relative difference
/// between the two tables (an independent check of the numbers).
struct DistortionComparison: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distortion",
        abstract: "Distortion table on the fit split: MIPareto's DistortionTable vs numpy."
    )

    @Option(help: "Bundle directory (default: ../shared/data/digits-pair beside the repository).")
    var bundle: String?

    @Option(help: "Largest bit depth B.")
    var maxBits = 8

    @Option(help: "Timed rounds on each side (median reported).")
    var runs = 7

    func run() throws {
        let path = bundle ?? PeerRunner.sharedDirectory.appendingPathComponent("data/digits-pair").path
        guard FileManager.default.fileExists(atPath: path + "/bundle.json") else {
            throw PeerError(message: "\(path): no bundle there")
        }
        let featureBundle = try FeatureBundle(directory: path)
        let fit = featureBundle.features(for: .fit)
        print("bundle \(path): fit \(fit.shape), B = \(maxBits)")
        var ours: DistortionTable?
        // Ranges/means (ChannelStats) and the table, as `Allocator` computes them.
        let oursSeconds = Stopwatch.median(runs: runs, warmup: 1) {
            ours = DistortionTable(fitOf: featureBundle, maxBits: maxBits)
        }
        let peer = try PeerRunner.runJSON(script: "distortion_table.py", arguments: [path, String(maxBits), String(runs)])
        let peerTimes = (peer["seconds"] as? [Double] ?? []).sorted()
        let peerSeconds = peerTimes.isEmpty ? Double.nan : peerTimes[peerTimes.count / 2]
        let peerTable = peer["table"] as? [[Double]] ?? []
        var largest = 0.0
        for (c, row) in ours!.absolute.enumerated() {
            for (b, value) in row.enumerated() {
                let other = peerTable[c][b]
                if value != other { largest = max(largest, abs(value - other) / max(abs(value), abs(other))) }
            }
        }
        print(String(format: "largest relative difference of D_c(b), ours vs numpy: %.3g", largest))
        reportRatio("distortion table (stats + \(maxBits + 1) depths, \(fit.shape[1]) channels; ours on every core, numpy on one)",
                    oursSeconds: oursSeconds, peerName: "numpy", peerSeconds: peerSeconds)
    }
}
