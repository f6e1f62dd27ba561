import Foundation
import Testing
import FeatureData
@testable import Inference

/// Vector features `[N, C]` (one element per channel) with a single dense head, checked by hand.
@Suite("vector features")
struct VectorFeatureTests {
    static func write() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-vector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        func save(_ array: NpyArray, _ name: String) throws { try NpyFile.write(array, to: root.appendingPathComponent(name)) }
        try save(NpyArray(Tensor<Float>(shape: [2, 3], values: [1, 0, 0, 0, 2, 0])), "fit.npy")
        try save(NpyArray(Tensor<Float>(shape: [2, 3], values: [0, 0, 3, 1, 1, 1])), "eval.npy")
        try save(NpyArray(Tensor<Int64>(shape: [2], values: [0, 1])), "fit_labels.npy")
        try save(NpyArray(Tensor<Int64>(shape: [2], values: [1, 0])), "eval_labels.npy")
        try save(NpyArray(Tensor<Float>(shape: [2, 3], values: [1, 0, -1, 0, 1, 0])), "w.npy")
        try save(NpyArray(Tensor<Float>(shape: [2], values: [0, -1.2])), "b.npy")
        try Data(#"{"input_shape": [3], "layers": [{"type": "dense", "weight": "w.npy", "bias": "b.npy"}]}"#.utf8).write(to: root.appendingPathComponent("head.json"))
        try Data("""
        {"format": "feature-bundle/1", "name": "vector", "features": {"fit": "fit.npy", "eval": "eval.npy"},
         "tasks": [{"name": "t", "kind": "classification", "classes": 2, "head": "head.json",
                    "labels": {"fit": "fit_labels.npy", "eval": "eval_labels.npy"},
                    "outputs": {"fit": "fit_labels.npy", "eval": "eval_labels.npy"}}]}
        """.utf8).write(to: root.appendingPathComponent("bundle.json"))
        return root
    }

    @Test("dense head on [N, C] features, clean and quantised")
    func vector() throws {
        let root = try Self.write()
        defer { try? FileManager.default.removeItem(at: root) }
        let bundle = try FeatureBundle(directory: root.path)
        #expect(bundle.channelShape == [3])
        let quantiser = Quantiser(stats: ChannelStats(features: bundle.features[.fit]!))
        // Fit ranges: channel 0 [0, 1], channel 1 [0, 2], channel 2 constant 0; means 0.5, 1, 0.
        #expect(quantiser.stats.mean == [0.5, 1, 0])
        // Fit: logits [1, −1.2] → 0 and [0, 0.8] → 1; labels [0, 1].
        #expect(Scorer(bundle: bundle, split: .fit, quantiser: quantiser).scoreClean()[task: "t"]?.metric == 1)
        let eval = Scorer(bundle: bundle, split: .eval, quantiser: quantiser)
        // Eval clean: [0, 0, 3] → [−3, −1.2] → 1; [1, 1, 1] → [0, −0.2] → 0; labels [1, 0].
        #expect(eval.scoreClean()[task: "t"]?.metric == 1)
        // 1 bit: [0, 0, 3] → [0, 0, 0] (channel 2 is constant: lo) → [0, −1.2] → 0;
        // [1, 1, 1] → [1, 2, 0] (1/2 of the range rounds up) → [1, 0.8] → 0.
        #expect(eval.score(bits: [1, 1, 1])[task: "t"]?.metric == 0.5)
        // 0 bits: every sample becomes the means [0.5, 1, 0] → [0.5, −0.2] → 0.
        #expect(eval.score(bits: [0, 0, 0])[task: "t"]?.metric == 0.5)
    }
}
