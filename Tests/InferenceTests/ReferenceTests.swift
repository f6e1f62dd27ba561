import Foundation
import Testing
import FeatureData
@testable import Inference

/// Bundles with a reference.json: the embedded mini bundle always, the full one when ../shared exists.
enum ReferenceBundles {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mini = repository.appendingPathComponent("examples/data/digits-pair-mini").path
    static let full = repository.deletingLastPathComponent().appendingPathComponent("shared/data/digits-pair").path
    static var fullPresent: Bool { FileManager.default.fileExists(atPath: full + "/reference.json") }

    static func reference(_ bundle: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: bundle + "/reference.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// Compares one task score with a reference.json entry: accuracy and counts exactly, PSNR within
/// 1e-3 dB, mIoU within 1e-4 (the tolerances).
func expectMatches(_ score: TaskScore, _ expected: [String: Any], _ context: String) {
    switch score.kind {
    case .classification:
        #expect(score.metric == expected["accuracy"] as? Double, "\(context) accuracy")
        if let correct = expected["correct"] as? Int { #expect(score.detail("correct") == Double(correct), "\(context) correct") }
        if let n = expected["n"] as? Int { #expect(score.detail("n") == Double(n), "\(context) n") }
        if let agreement = expected["agreement_with_clean_outputs"] as? Double {
            #expect(abs(score.detail("agreement")! - agreement) < 1e-12, "\(context) agreement")
        }
    case .reconstruction:
        let psnr = expected["psnr"] as! Double
        #expect(abs(score.metric - psnr) < 1e-3, "\(context) psnr \(score.metric) vs \(psnr)")
        if let n = expected["elements"] as? Int { #expect(score.detail("elements") == Double(n), "\(context) elements") }
        if let own = expected["psnr_vs_clean_outputs"] as? Double {
            #expect(abs(score.detail("psnrVsOutputs")! - own) < 1e-3, "\(context) psnr vs outputs")
        }
    case .segmentation:
        let miou = expected["miou"] as! Double
        #expect(abs(score.metric - miou) < 1e-4, "\(context) miou")
    }
}

func checkReference(bundlePath: String) throws {
    let bundle = try FeatureBundle(directory: bundlePath)
    let reference = try ReferenceBundles.reference(bundlePath)
    let stats = ChannelStats(features: bundle.features[.fit]!)
    let quantiser = Quantiser(stats: stats)

    // Channel statistics (reference: float64 numpy over N, H, W of the fit features).
    let expectedStats = try #require(reference["channel_stats_fit"] as? [String: Any])
    for (key, ours) in [("min", stats.lo), ("max", stats.hi), ("mean", stats.mean), ("variance", stats.variance)] {
        let theirs = try #require(expectedStats[key] as? [Double])
        #expect(theirs.count == ours.count)
        for (a, b) in zip(ours, theirs) { #expect(abs(a - b) <= 1e-12 * Swift.max(1, abs(b)), "channel \(key)") }
    }

    // Clean, fit and eval.
    let clean = try #require(reference["clean"] as? [String: [String: [String: Any]]])
    for split in [Split.fit, .eval] {
        let evaluation = Scorer(bundle: bundle, split: split, quantiser: quantiser).scoreClean()
        for task in evaluation.tasks {
            expectMatches(task, try #require(clean[task.name]?[split.rawValue]), "clean \(split) \(task.name)")
        }
    }

    // Uniform quantisation on eval, every bit depth of the reference.
    let eval = Scorer(bundle: bundle, split: .eval, quantiser: quantiser)
    let uniform = try #require(reference["uniform_quantisation_eval"] as? [String: Any])
    let bitsList = try #require(uniform["bits"] as? [Int])
    let uniformTasks = try #require(uniform["tasks"] as? [String: [String: [String: Any]]])
    #expect(!bitsList.isEmpty)
    for b in bitsList {
        let evaluation = eval.score(bits: [Int](repeating: b, count: bundle.channels))
        for task in evaluation.tasks {
            expectMatches(task, try #require(uniformTasks[task.name]?[String(b)]), "uniform \(b) bits \(task.name)")
        }
    }

    // The lowest-variance half of the channels set to their means, the rest unquantised.
    let lowVariance = try #require(reference["low_variance_half_to_mean_eval"] as? [String: Any])
    let dropped = try #require(lowVariance["channels_set_to_mean"] as? [Int])
    let ranked = (0..<bundle.channels).sorted { (stats.variance[$0], $0) < (stats.variance[$1], $1) }
    #expect(Array(ranked.prefix(bundle.channels / 2)).sorted() == dropped.sorted(), "our variance ranking picks the same channels")
    let depths: [Int?] = (0..<bundle.channels).map { dropped.contains($0) ? 0 : nil }
    let lowTasks = try #require(lowVariance["tasks"] as? [String: [String: Any]])
    for task in eval.score(depths: depths).tasks {
        expectMatches(task, try #require(lowTasks[task.name]), "low variance \(task.name)")
    }
}

@Suite("reference.json reproduced")
struct ReferenceTests {
    @Test("digits-pair-mini (embedded)")
    func mini() throws { try checkReference(bundlePath: ReferenceBundles.mini) }

    @Test("digits-pair (../shared)", .enabled(if: ReferenceBundles.fullPresent, "../shared/data/digits-pair is absent: skipped"))
    func full() throws { try checkReference(bundlePath: ReferenceBundles.full) }

    @Test("results do not depend on the number of workers or the chunk size")
    func threadIndependence() throws {
        let bundle = try FeatureBundle(directory: ReferenceBundles.mini)
        let quantiser = Quantiser(stats: ChannelStats(features: bundle.features[.fit]!))
        let bits = (0..<bundle.channels).map { ($0 * 7) % 9 }
        let a = Scorer(bundle: bundle, split: .eval, quantiser: quantiser, chunkSize: 32, workers: 1).score(bits: bits)
        let b = Scorer(bundle: bundle, split: .eval, quantiser: quantiser, chunkSize: 32, workers: 2).score(bits: bits)
        let c = Scorer(bundle: bundle, split: .eval, quantiser: quantiser, chunkSize: 7, workers: 2).score(bits: bits)
        for (x, y) in zip(a.tasks, b.tasks) { #expect(x.metric == y.metric) }
        for (x, y) in zip(a.tasks, c.tasks) where x.kind == .classification { #expect(x.metric == y.metric) }
        // A different chunk size changes the sgemm row count and so OpenBLAS's blocking: float32
        // sums may round differently, far below the 1e-3 dB the reference asks for.
        for (x, y) in zip(a.tasks, c.tasks) where x.kind == .reconstruction { #expect(abs(x.metric - y.metric) < 1e-5) }
    }
}
