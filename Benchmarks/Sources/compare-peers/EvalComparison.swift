import ArgumentParser
import Basics
import FeatureData
import Foundation
import Inference
import MultiObjective

/// `compare-peers eval`: scoring one allocation on digits-pair eval (quantise + 4 heads + 4
/// metrics), MIPareto's `Scorer` against the numpy/OpenBLAS peer (Benchmarks/peers/eval_peer_run.py),
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

    @Option(help: "Blocks of rounds, ours and the peer's alternating.")
    var blocks = 3

    @Flag(help: "Run the peer with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE as set on this machine (Haswell kernels, as the peer was first measured) instead of unsetting them.")
    var peerKeepOpenblasEnvironment = false

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
            let quantiser = Quantiser(fitOf: featureBundle)
            prepared = Scorer(bundle: featureBundle, split: .eval, quantiser: quantiser, chunkSize: chunk, workers: workers)
        }
        let scorer = prepared!
        print("bundle \(path): eval \(scorer.samples) samples, \(featureBundle.channels) channels \(featureBundle.channelShape), tasks \(scorer.taskNames.joined(separator: ", "))")
        print(String(format: "load bundle (all files, validated): %.1f ms (target ≤ 200 ms); fit stats + scorer set-up: %.1f ms", loadSeconds * 1e3, prepareSeconds * 1e3))

        var rng = SeededRandom(seed: seed)
        let channels = featureBundle.channels
        let warmupBits = (0..<warmup).map { _ in (0..<channels).map { _ in rng.nextInt(in: 0...8) } }
        let timedBits = (0..<runs).map { _ in (0..<channels).map { _ in rng.nextInt(in: 0...8) } }

        func timeOurs(_ s: Scorer) -> (times: [Double], first: Evaluation) {
            for bits in warmupBits { _ = s.score(bits: bits) }
            var times: [Double] = []
            var first: Evaluation?
            for bits in timedBits {
                var result: Evaluation?
                times.append(Stopwatch.seconds { result = s.score(bits: bits) })
                if first == nil { first = result }
            }
            return (times, first!)
        }

        if variants {
            for (c, w) in [(16, 2), (32, 1), (32, 2), (64, 2)] {
                let other = Scorer(bundle: featureBundle, split: .eval, quantiser: scorer.quantiser, chunkSize: c, workers: w)
                let t = timeOurs(other).times
                print(String(format: "  variant chunk %d, %d workers: median %.2f ms, min %.2f ms", c, w, median(t) * 1e3, t.min()! * 1e3))
            }
        }

        // The machine is shared and noisy: alternate blocks of ours and the peer's rounds (the
        // same bit vectors in every block) and compare the medians over all rounds.
        var ours: [Double] = []
        var theirs: [Double] = []
        var firstEvaluation: Evaluation?
        var peerFirst: [String: Double]?
        for block in 1...blocks {
            let (times, first) = timeOurs(scorer)
            ours += times
            firstEvaluation = first
            var line = String(format: "block %d: MIPareto median %.2f ms (min %.2f)", block, median(times) * 1e3, times.min()! * 1e3)
            if !noPeer {
                let peer = try runPeer(bundle: path, warmupBits: warmupBits, timedBits: timedBits)
                let peerTimes = (peer["times_ms"] as? [Double] ?? []).map { $0 / 1e3 }
                theirs += peerTimes
                peerFirst = peer["metrics_first"] as? [String: Double]
                if block == 1, let blas = peer["blas"] as? [[String: Any]] {
                    // The env notes ask to check which kernels the peer runs once OPENBLAS_CORETYPE is unset.
                    print("peer BLAS: " + blas.map { entry in entry.keys.sorted().map { "\($0)=\(entry[$0]!)" }.joined(separator: " ") }.joined(separator: "; "))
                }
                line += String(format: ", peer median %.2f ms (min %.2f)", median(peerTimes) * 1e3, (peerTimes.min() ?? .nan) * 1e3)
            }
            print(line)
        }
        let coreType = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { "OPENBLAS_CORETYPE=\($0) as set on this machine" } ?? "OPENBLAS_CORETYPE unset"
        print("MIPareto: Debian OpenBLAS, single-threaded inside each worker, \(coreType)")
        print(String(format: "MIPareto Scorer (chunk %d, %d workers): median %.2f ms, min %.2f ms over %d allocations",
                     chunk, scorer.workers, median(ours) * 1e3, ours.min()! * 1e3, ours.count))
        guard !noPeer else { return }
        print(String(format: "peer eval_peer.py main (numpy + OpenBLAS, 2 BLAS threads, chunk 32, shared im2col, fused): median %.2f ms, min %.2f ms over %d allocations",
                     median(theirs) * 1e3, (theirs.min() ?? .nan) * 1e3, theirs.count))
        // Same allocation, same answers?
        if let theirs = peerFirst, let first = firstEvaluation {
            let rows = first.tasks.compactMap { task in
                theirs[task.name].map { String(format: "%@ ours %.6f peer %.6f", task.name, task.metric, $0) }
            }
            print("first timed allocation: " + rows.joined(separator: "; "))
        }
        reportRatio("score one allocation (digits-pair eval, 2000 samples, 4 heads)", oursSeconds: median(ours),
                    peerName: "numpy/OpenBLAS peer", peerSeconds: median(theirs))
        reportRatio("  same, best rounds (min)", oursSeconds: ours.min()!, peerName: "peer", peerSeconds: theirs.min() ?? .nan)
        print(String(format: "target: ≥ 2× faster than the peer (ratio ≥ 2.0); load ≤ 200 ms: %.1f ms", loadSeconds * 1e3))
    }

    func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Runs Benchmarks/peers/eval_peer_run.py on the same bit vectors; OPENBLAS_CORETYPE and
    /// OPENBLAS_L2_SIZE (set on this machine for other tools) are removed for the peer only, so it
    /// runs as it was first measured.
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
        for key in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] where environment[key] != nil && !peerKeepOpenblasEnvironment {
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
