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

    @Flag(help: """
        Bundles too large to load: each round maps the bundle anew and computes statistics and the \
        table from channel blocks (what `allocate` does); the peer reads the same file through \
        numpy's memory map (peers/distortion_mapped.py), one round.
        """)
    var mapped = false

    func run() throws {
        if mapped { return try runMapped() }
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
        print(String(format: "largest relative difference of D_c(b), ours vs numpy: %.3g", largestDifference(ours!, peerTable)))
        reportRatio("distortion table (stats + \(maxBits + 1) depths, \(fit.shape[1]) channels; ours on every core, numpy on one)",
                    oursSeconds: oursSeconds, peerName: "numpy", peerSeconds: peerSeconds)
    }

    func runMapped() throws {
        guard let path = bundle else { throw PeerError(message: "--mapped needs --bundle (e.g. a synthetic-bundle directory)") }
        var ours: DistortionTable?
        var shape: [Int] = []
        // A fresh load each round: the statistics a loaded bundle keeps are computed again.
        let oursSeconds = try Stopwatch.median(runs: runs, warmup: 0) {
            let featureBundle = try FeatureBundle(directory: path)
            shape = featureBundle.streams[0].sources[.fit]!.shape
            ours = DistortionTable(fitOf: featureBundle, maxBits: maxBits)
        }
        print("bundle \(path): fit \(shape), B = \(maxBits), mapped")
        let peer = try PeerRunner.runJSON(script: "distortion_mapped.py", arguments: [path, String(maxBits)])
        let peerSeconds = peer["seconds"] as? Double ?? .nan
        let peerTable = peer["table"] as? [[Double]] ?? []
        print(String(format: "largest relative difference of D_c(b), ours vs numpy: %.3g", largestDifference(ours!, peerTable)))
        reportRatio("load + statistics + distortion table (\(maxBits + 1) depths, \(shape[1]) channels, mapped; ours on every core, numpy on one)",
                    oursSeconds: oursSeconds, peerName: "numpy (mmap)", peerSeconds: peerSeconds)
    }

    func largestDifference(_ ours: DistortionTable, _ peerTable: [[Double]]) -> Double {
        var largest = 0.0
        for (c, row) in ours.absolute.enumerated() {
            for (b, value) in row.enumerated() {
                let other = peerTable[c][b]
                if value != other { largest = max(largest, abs(value - other) / max(abs(value), abs(other))) }
            }
        }
        return largest
    }
}
