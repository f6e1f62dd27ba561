import Foundation
import FeatureData

/// A hand-made bundle with one task of each kind and every layer type, written with our own
/// `.npy` writer into a temporary directory. Values are small dyadic fractions, exact in float32,
/// so the float32 convolutions are exact and argmax ties cannot differ from numpy's float64.
///
/// Shapes: features `[N, 2, 4, 4]` (3 fit, 2 eval samples).
/// * `parts` (segmentation, 3 classes): conv2d 2→3 3×3 pad 1, relu, maxpool2d size 2 stride 1,
///   upsample2d ×2 → logits `[3, 6, 6]`; labels `[N, 6, 6]` with -1 pixels.
/// * `parity` (classification, 2 classes): conv2d 2→4 3×3 stride 2 pad 1, sigmoid, avgpool2d 2,
///   flatten, dense 4→2.
/// * `image` (reconstruction): conv2d 2→1 1×1 (no bias: zero), relu, conv2d 1→1 3×3 pad 1, sigmoid.
/// * `zoom` (reconstruction, no peak: 1): conv2d 2→2 1×1, relu, upsample2d ×3, conv2d 2→1 3×3
///   pad 2 → `[1, 14, 14]` (the fused upsample + conv path, with padding wider than one pixel).
enum TinyBundle {
    /// `((k·mul + add) mod m − offset) / divisor` for k = 0, 1, …
    static func sequence(_ count: Int, mul: Int, add: Int, mod: Int, offset: Int, divisor: Double) -> [Float] {
        (0..<count).map { k in Float(Double((k * mul + add) % mod - offset) / divisor) }
    }

    static func weight(_ shape: [Int], seed: Int) -> Tensor<Float> {
        Tensor(shape: shape, values: sequence(shape.reduce(1, *), mul: 13 + 2 * seed, add: seed, mod: 11, offset: 5, divisor: 8))
    }

    static func bias(_ count: Int, seed: Int) -> Tensor<Float> {
        Tensor(shape: [count], values: sequence(count, mul: 7, add: seed, mod: 5, offset: 2, divisor: 4))
    }

    /// Writes the bundle and returns its directory.
    static func write() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-tiny-\(UUID().uuidString)")
        for folder in ["fit", "eval", "heads"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        func save(_ array: NpyArray, _ path: String) throws { try NpyFile.write(array, to: root.appendingPathComponent(path)) }

        try save(NpyArray(Tensor(shape: [3, 2, 4, 4], values: sequence(96, mul: 37, add: 11, mod: 17, offset: 8, divisor: 8))), "fit/features.npy")
        try save(NpyArray(Tensor(shape: [2, 2, 4, 4], values: sequence(64, mul: 29, add: 5, mod: 13, offset: 6, divisor: 4))), "eval/features.npy")
        for (split, n, salt) in [("fit", 3, 0), ("eval", 2, 1)] {
            let parts = (0..<(n * 36)).map { k in Int64((k * 7 + k / 3 + salt) % 4 - 1) }
            try save(NpyArray(Tensor(shape: [n, 6, 6], values: parts)), "\(split)/labels_parts.npy")
            try save(NpyArray(Tensor(shape: [n, 6, 6], values: (0..<(n * 36)).map { Int64($0 % 3) })), "\(split)/outputs_parts.npy")
            try save(NpyArray(Tensor(shape: [n], values: (0..<n).map { Int64(($0 + salt) % 2) })), "\(split)/labels_parity.npy")
            try save(NpyArray(Tensor(shape: [n], values: (0..<n).map { Int64(($0 + 1) % 2) })), "\(split)/outputs_parity.npy")
            let targets = (0..<(n * 16)).map { k in Float(Double((k * 3 + salt) % 7) / 7) }
            try save(NpyArray(Tensor(shape: [n, 1, 4, 4], values: targets)), "\(split)/targets_image.npy")
            try save(NpyArray(Tensor(shape: [n, 1, 4, 4], values: (0..<(n * 16)).map { Float(Double(($0 * 5) % 9) / 9) })), "\(split)/outputs_image.npy")
            let zoom = (0..<(n * 196)).map { k in Float(Double((k * 5 + salt) % 11) / 11) }
            try save(NpyArray(Tensor(shape: [n, 1, 14, 14], values: zoom)), "\(split)/targets_zoom.npy")
            try save(NpyArray(Tensor(shape: [n, 1, 14, 14], values: zoom)), "\(split)/outputs_zoom.npy")
        }
        try save(NpyArray(weight([3, 2, 3, 3], seed: 1)), "heads/parts_0_w.npy")
        try save(NpyArray(bias(3, seed: 1)), "heads/parts_0_b.npy")
        try save(NpyArray(weight([4, 2, 3, 3], seed: 2)), "heads/parity_0_w.npy")
        try save(NpyArray(bias(4, seed: 2)), "heads/parity_0_b.npy")
        try save(NpyArray(weight([2, 4], seed: 3)), "heads/parity_4_w.npy")
        try save(NpyArray(bias(2, seed: 3)), "heads/parity_4_b.npy")
        try save(NpyArray(weight([1, 2, 1, 1], seed: 4)), "heads/image_0_w.npy")
        try save(NpyArray(weight([1, 1, 3, 3], seed: 5)), "heads/image_2_w.npy")
        try save(NpyArray(bias(1, seed: 5)), "heads/image_2_b.npy")
        try save(NpyArray(weight([2, 2, 1, 1], seed: 6)), "heads/zoom_0_w.npy")
        try save(NpyArray(bias(2, seed: 6)), "heads/zoom_0_b.npy")
        try save(NpyArray(weight([1, 2, 3, 3], seed: 7)), "heads/zoom_3_w.npy")
        try save(NpyArray(bias(1, seed: 7)), "heads/zoom_3_b.npy")

        let heads = [
            "parts": """
            {"input_shape": [2, 4, 4], "layers": [
              {"type": "conv2d", "weight": "heads/parts_0_w.npy", "bias": "heads/parts_0_b.npy", "stride": 1, "padding": 1},
              {"type": "relu"}, {"type": "maxpool2d", "size": 2, "stride": 1}, {"type": "upsample2d", "factor": 2}]}
            """,
            "parity": """
            {"input_shape": [2, 4, 4], "layers": [
              {"type": "conv2d", "weight": "heads/parity_0_w.npy", "bias": "heads/parity_0_b.npy", "stride": 2, "padding": 1},
              {"type": "sigmoid"}, {"type": "avgpool2d", "size": 2}, {"type": "flatten"},
              {"type": "dense", "weight": "heads/parity_4_w.npy", "bias": "heads/parity_4_b.npy"}]}
            """,
            "image": """
            {"input_shape": [2, 4, 4], "layers": [
              {"type": "conv2d", "weight": "heads/image_0_w.npy"}, {"type": "relu"},
              {"type": "conv2d", "weight": "heads/image_2_w.npy", "bias": "heads/image_2_b.npy", "padding": 1},
              {"type": "sigmoid"}]}
            """,
            "zoom": """
            {"input_shape": [2, 4, 4], "layers": [
              {"type": "conv2d", "weight": "heads/zoom_0_w.npy", "bias": "heads/zoom_0_b.npy"}, {"type": "relu"},
              {"type": "upsample2d", "factor": 3},
              {"type": "conv2d", "weight": "heads/zoom_3_w.npy", "bias": "heads/zoom_3_b.npy", "padding": 2}]}
            """,
        ]
        for (name, text) in heads { try Data(text.utf8).write(to: root.appendingPathComponent("heads/\(name).json")) }
        let manifest = """
        {"format": "feature-bundle/1", "name": "tiny", "features": {"fit": "fit/features.npy", "eval": "eval/features.npy"},
         "tasks": [
          {"name": "parts", "kind": "segmentation", "classes": 3, "head": "heads/parts.json",
           "labels": {"fit": "fit/labels_parts.npy", "eval": "eval/labels_parts.npy"},
           "outputs": {"fit": "fit/outputs_parts.npy", "eval": "eval/outputs_parts.npy"}},
          {"name": "parity", "kind": "classification", "classes": 2, "head": "heads/parity.json",
           "labels": {"fit": "fit/labels_parity.npy", "eval": "eval/labels_parity.npy"},
           "outputs": {"fit": "fit/outputs_parity.npy", "eval": "eval/outputs_parity.npy"}},
          {"name": "image", "kind": "reconstruction", "head": "heads/image.json",
           "targets": {"fit": "fit/targets_image.npy", "eval": "eval/targets_image.npy"},
           "outputs": {"fit": "fit/outputs_image.npy", "eval": "eval/outputs_image.npy"}},
          {"name": "zoom", "kind": "reconstruction", "head": "heads/zoom.json",
           "targets": {"fit": "fit/targets_zoom.npy", "eval": "eval/targets_zoom.npy"},
           "outputs": {"fit": "fit/outputs_zoom.npy", "eval": "eval/outputs_zoom.npy"}}
         ]}
        """
        try Data(manifest.utf8).write(to: root.appendingPathComponent("bundle.json"))
        return root
    }
}
