import ArgumentParser
import FeatureData
import Foundation
import Inference
import MultiObjective

/// `compare-peers eval`: scoring one allocation on digits-pair eval (quantise + 4 heads + 4
/// metrics), MIPareto's `Scorer` against the numpy/OpenBLAS peer of shared/peers/eval_peer.md,
/// on the same seeded bit vectors, in the same run. Also times loading the bundle.
struct EvalComparison: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score one allocation on digits-pair eval: MIPareto's Scorer vs the numpy/OpenBLAS peer."
    )

    @Option(help: "Bundle directory (default: ../shared/data/digits-pair beside the repository).")
    var bundle: String?

    @Option(help: "Timed rounds (median reported).")
    var runs = 20

    @Option(help: "Untimed warm-up rounds.")
    var warmup = 3

    @Option(help: "Seed of the random bit vectors (each depth uniform in 0…8).")
    var seed: UInt64 = 2026

    @Option(help: "Samples per chunk for MIPareto's Scorer.")
    var chunk = 32

    @Option(help: "Worker threads for MIPareto's Scorer (default: every core).")
    var workers: Int?

    @Flag(help: "Also time other chunk sizes and worker counts (ours only).")
    var variants = false

    @Flag(help: "Skip the Python peer.")
    var noPeer = false

    func run() throws {
        let path = bundle ?? PeerRunner.sharedDirectory.appendingPathComponent("data/digits-pair").path
        guard FileManager.default.fileExists(atPath: path + "/bundle.json") else {
            throw PeerError(message: "\(path): no bundle there (the eval comparison needs ../shared/data/digits-pair)")
        }

        // Loading: the whole bundle (every .npy, validation included), median of 5 after 1 warm-up.
        var loaded: FeatureBundle?
        let loadSeconds = try Stopwatch.median(runs: 5, warmup: 1) { loaded = try FeatureBundle(directory: path) }
        let featureBundle = loaded!
        var prepared: Scorer?
        let prepareSeconds = try Stopwatch.median(runs: 3, warmup: 0) {
            let quantiser = Quantiser(stats: ChannelStats(features: featureBundle.features[.fit]!))
            prepared = Scorer(bundle: featureBundle, split: .eval, quantiser: quantiser, chunkSize: chunk, workers: workers)
        }
        let scorer = prepared!
        print("bundle \(path): eval \(scorer.samples) samples, \(featureBundle.channels) channels \(featureBundle.channelShape), tasks \(scorer.taskNames.joined(separator: ", "))")
        print(String(format: "load bundle (all files, validated): %.1f ms (target ≤ 200 ms); fit stats + scorer set-up: %.1f ms", loadSeconds * 1e3, prepareSeconds * 1e3))

        var rng = SeededRandom(seed: seed)
        let channels = featureBundle.channels
        let warmupBits = (0..<warmup).map { _ in (0..<channels).map { _ in rng.nextInt(in: 0...8) } }
        let timedBits = (0..<runs).map { _ in (0..<channels).map { _ in rng.nextInt(in: 0...8) } }

        func timeOurs(_ s: Scorer) -> (median: Double, min: Double, first: Evaluation) {
            for bits in warmupBits { _ = s.score(bits: bits) }
            var times: [Double] = []
            var first: Evaluation?
            for bits in timedBits {
                var result: Evaluation?
                times.append(Stopwatch.seconds { result = s.score(bits: bits) })
                if first == nil { first = result }
            }
            times.sort()
            let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
            return (median, times[0], first!)
        }

        let ours = timeOurs(scorer)
        print(String(format: "MIPareto Scorer (chunk %d, %d workers): median %.2f ms, min %.2f ms over %d allocations",
                     chunk, scorer.workers, ours.median * 1e3, ours.min * 1e3, runs))

        if variants {
            for (c, w) in [(16, 2), (32, 1), (48, 2), (64, 2), (128, 2)] {
                let quantiser = scorer.quantiser
                let other = Scorer(bundle: featureBundle, split: .eval, quantiser: quantiser, chunkSize: c, workers: w)
                let t = timeOurs(other)
                print(String(format: "  variant chunk %d, %d workers: median %.2f ms, min %.2f ms", c, w, t.median * 1e3, t.min * 1e3))
            }
        }

        guard !noPeer else { return }
        let peer = try runPeer(bundle: path, warmupBits: warmupBits, timedBits: timedBits)
        let peerMedian = (peer["median_ms"] as? Double ?? .nan) / 1e3
        let peerMin = (peer["min_ms"] as? Double ?? .nan) / 1e3
        print(String(format: "peer eval_peer.py main (numpy + OpenBLAS, chunk 32, shared im2col, fused): median %.2f ms, min %.2f ms", peerMedian * 1e3, peerMin * 1e3))
        // A second timing of ours after the peer, so a slow phase of the machine shows.
        let again = timeOurs(scorer)
        print(String(format: "MIPareto Scorer again after the peer: median %.2f ms, min %.2f ms", again.median * 1e3, again.min * 1e3))

        // Same allocation, same answers?
        if let theirs = peer["metrics_first"] as? [String: Double] {
            var rows: [String] = []
            for task in ours.first.tasks {
                if let value = theirs[task.name] {
                    rows.append(String(format: "%@ ours %.6f peer %.6f", task.name, task.metric, value))
                }
            }
            print("first timed allocation: " + rows.joined(separator: "; "))
        }
        reportRatio("score one allocation (digits-pair eval, 2000 samples, 4 heads)", oursSeconds: ours.median,
                    peerName: "numpy/OpenBLAS peer", peerSeconds: peerMedian)
        print(String(format: "target: ≥ 2× faster than the peer (ratio ≥ 2.0); load ≤ 200 ms: %.1f ms", loadSeconds * 1e3))
    }

    /// Runs Benchmarks/peers/eval_peer_run.py on the same bit vectors; OPENBLAS_CORETYPE and
    /// OPENBLAS_L2_SIZE (set on this machine for other tools) are removed for the peer only, so it
    /// runs as eval_peer.md measured it.
    func runPeer(bundle: String, warmupBits: [[Int]], timedBits: [[Int]]) throws -> [String: Any] {
        let bitsFile = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-eval-bits-\(ProcessInfo.processInfo.processIdentifier).json")
        let document: [String: Any] = ["warmup": warmupBits, "timed": timedBits]
        try JSONSerialization.data(withJSONObject: document).write(to: bitsFile)
        defer { try? FileManager.default.removeItem(at: bitsFile) }

        let process = Process()
        let python = PeerRunner.python
        process.executableURL = URL(fileURLWithPath: python)
        let script = PeerRunner.benchmarksDirectory.appendingPathComponent("peers/eval_peer_run.py").path
        process.arguments = (python == "/usr/bin/env" ? ["python3"] : []) + [script, bundle, bitsFile.path]
        var environment = ProcessInfo.processInfo.environment
        for key in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] where environment[key] != nil {
            environment.removeValue(forKey: key)
        }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PeerError(message: "eval_peer_run.py exited with status \(process.terminationStatus)") }
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw PeerError(message: "eval_peer_run.py printed no JSON: \(text.prefix(300))") }
        return object
    }
}
