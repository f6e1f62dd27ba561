import ArgumentParser
import Basics
import FeatureData
import Foundation
import Inference

/// `compare-peers evaluator-overhead`: what the evaluator protocol itself costs per allocation. The
/// constant evaluator (examples/evaluators/constant.py) looks at nothing, so a batch's round trip is
/// all protocol: MIPareto writing the `score` line, the pipe, the Python side parsing and checking
/// it and writing `scores`, MIPareto parsing and checking the reply. Batches of 64 allocations of
/// 32 channels (digits-pair-mini) and of 1024 channels (a tiny bundle written into a temporary
/// folder). Target: ≤ 0.1 ms per allocation.
struct EvaluatorOverhead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluator-overhead",
        abstract: "Protocol overhead per allocation with the constant evaluator, batches of 64 of 32 and 1024 channels (target ≤ 0.1 ms)."
    )

    @Option(help: "Timed batches per case.")
    var rounds = 40

    @Option(help: "Allocations per batch.")
    var batch = 64

    @Option(help: "The Python interpreter running the evaluator.")
    var python = "python3"

    func run() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-overhead-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bundles = [(32, PeerRunner.repositoryDirectory.appendingPathComponent("examples/data/digits-pair-mini")),
                       (1024, try Self.wideBundle(channels: 1024, in: scratch))]
        let constant = "\(python) \(PeerRunner.repositoryDirectory.appendingPathComponent("examples/evaluators/constant.py").path)"
        print("evaluator protocol, constant evaluator, batches of \(batch) allocations (median of \(rounds) batches; \(RayCluster.load()))")
        for (channels, directory) in bundles {
            let bundle = try FeatureBundle(directory: directory.path)
            let session = try EvaluatorSession(command: constant, bundle: bundle, quantiser: Quantiser(fitOf: bundle), maxBits: 8)
            defer { session.stop() }
            var generator = SeededRandom(seed: UInt64(channels))
            let batches = (0...rounds).map { _ in (0..<batch).map { _ in (0..<channels).map { _ in Int(generator.next() % 9) } } }
            _ = try session.score(split: .eval, batches: [batches[0]])     // warm-up
            var perAllocation: [Double] = []
            for b in batches.dropFirst() {
                let seconds = try Stopwatch.seconds { _ = try session.score(split: .eval, batches: [b]) }
                perAllocation.append(seconds / Double(batch))
            }
            perAllocation.sort()
            let median = perAllocation[perAllocation.count / 2]
            // Several batches in flight (as --evaluator-inflight 4): MIPareto writes while Python works.
            let pipelined = try Stopwatch.seconds { _ = try session.score(split: .eval, batches: Array(batches.dropFirst()), inflight: 4) }
                / Double(rounds * batch)
            print(String(format: "  %4d channels: %.4f ms/allocation one batch at a time (min %.4f, max %.4f), %.4f ms/allocation with 4 in flight: %@",
                         channels, median * 1e3, perAllocation.first! * 1e3, perAllocation.last! * 1e3, pipelined * 1e3,
                         median <= 1e-4 ? "≤ 0.1 ms, met" : "above 0.1 ms, NOT met"))
        }
    }

    /// A bundle of `channels` vector channels, 8 fit and 8 eval samples, one headless
    /// classification task: only its shape matters to the protocol.
    static func wideBundle(channels: Int, in folder: URL) throws -> URL {
        let directory = folder.appendingPathComponent("wide-\(channels)")
        for sub in ["fit", "eval"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
            var generator = SeededRandom(seed: sub == "fit" ? 1 : 2)
            let features = (0..<(8 * channels)).map { _ in Float(generator.next() % 1000) / 1000 }
            try NpyFile.write(NpyArray(shape: [8, channels], values: .float32(features)), to: directory.appendingPathComponent("\(sub)/features.npy"))
            let labels = NpyArray(shape: [8], values: .int64((0..<8).map { Int64($0 % 2) }))
            try NpyFile.write(labels, to: directory.appendingPathComponent("\(sub)/labels_t.npy"))
            try NpyFile.write(labels, to: directory.appendingPathComponent("\(sub)/outputs_t.npy"))
        }
        let json = """
        {"format": "feature-bundle/1", "name": "wide-\(channels)", "description": "synthetic, for the protocol benchmark",
         "features": {"fit": "fit/features.npy", "eval": "eval/features.npy"},
         "tasks": [{"name": "t", "kind": "classification", "classes": 2,
                    "labels": {"fit": "fit/labels_t.npy", "eval": "eval/labels_t.npy"},
                    "outputs": {"fit": "fit/outputs_t.npy", "eval": "eval/outputs_t.npy"}}]}
        """
        try Data(json.utf8).write(to: directory.appendingPathComponent("bundle.json"))
        return directory
    }
}
