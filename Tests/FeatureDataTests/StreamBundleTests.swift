import Foundation
import Testing
@testable import FeatureData

/// Bundles of several streams and tasks without heads (docs/format.md, `streams`, optional
/// `head`, a head's `input`): what loads, the numbers derived from the layout, and every
/// validation error, each naming the file and the field.
@Suite("bundle loading: streams and tasks without heads")
struct StreamBundleTests {
    /// A small bundle in a fresh folder: streams `a` `[N, 2, 2, 3]` and `b` `[N, 3]`, one
    /// classification task `cls` (3 classes) with labels and outputs, and whatever `edit` changes.
    struct Folder {
        let url: URL
        var manifest: [String: Any]

        init(fit: Int = 6, eval: Int = 4) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-streams-\(UUID().uuidString)")
            manifest = [:]
            for sub in ["fit", "eval", "heads"] { try FileManager.default.createDirectory(at: url.appendingPathComponent(sub), withIntermediateDirectories: true) }
            for (split, n) in [("fit", fit), ("eval", eval)] {
                try write(float: [n, 2, 2, 3], "\(split)/a.npy", seed: 1)
                try write(float: [n, 3], "\(split)/b.npy", seed: 2)
                try write(labels: (0..<n).map { Int64($0 % 3) }, "\(split)/labels.npy")
                try write(labels: (0..<n).map { Int64(($0 + 1) % 3) }, "\(split)/outputs.npy")
            }
            manifest = [
                "format": "feature-bundle/1", "name": "tiny-streams",
                "streams": [["name": "a", "fit": "fit/a.npy", "eval": "eval/a.npy"], ["name": "b", "fit": "fit/b.npy", "eval": "eval/b.npy"]],
                "tasks": [["name": "cls", "kind": "classification", "classes": 3,
                           "labels": ["fit": "fit/labels.npy", "eval": "eval/labels.npy"],
                           "outputs": ["fit": "fit/outputs.npy", "eval": "eval/outputs.npy"]]],
            ]
        }

        func write(float shape: [Int], _ path: String, seed: Int) throws {
            let values = (0..<shape.reduce(1, *)).map { Float(($0 * 7 + seed * 3) % 11) / 4 }
            try NpyFile.write(NpyArray(shape: shape, values: .float32(values)), to: url.appendingPathComponent(path))
        }

        func write(labels: [Int64], shape: [Int]? = nil, _ path: String) throws {
            try NpyFile.write(NpyArray(shape: shape ?? [labels.count], values: .int64(labels)), to: url.appendingPathComponent(path))
        }

        func write(json: Any, _ path: String) throws {
            try JSONSerialization.data(withJSONObject: json).write(to: url.appendingPathComponent(path))
        }

        /// A dense head `[K] ← flatten(input)` reading `input` (nil: no `"input"` key).
        func writeHead(_ path: String, input: String?, inputShape: [Int], classes: Int = 3) throws {
            let inputs = inputShape.reduce(1, *)
            try NpyFile.write(NpyArray(shape: [classes, inputs], values: .float32((0..<(classes * inputs)).map { Float($0 % 5) - 2 })), to: url.appendingPathComponent(path + ".w.npy"))
            var head: [String: Any] = ["input_shape": inputShape, "layers": (inputShape.count > 1 ? [["type": "flatten"]] : []) + [["type": "dense", "weight": path + ".w.npy"]]]
            if let input { head["input"] = input }
            try write(json: head, path)
        }

        func load() throws -> FeatureBundle {
            try write(json: manifest, "bundle.json")
            return try FeatureBundle(directory: url.path)
        }

        var manifestName: String { url.path + "/bundle.json" }
        func file(_ path: String) -> String { url.path + "/" + path }
        func remove() { try? FileManager.default.removeItem(at: url) }

        var task: [String: Any] {
            get { (manifest["tasks"] as! [[String: Any]])[0] }
            set { manifest["tasks"] = [newValue] }
        }
    }

    @Test("two streams of different sizes: global channels, sizes, per-stream statistics")
    func layout() throws {
        var folder = try Folder()
        defer { folder.remove() }
        folder.manifest["description"] = "tiny"
        let bundle = try folder.load()
        #expect(bundle.isMultiStream)
        #expect(bundle.streams.map(\.name) == ["a", "b"])
        #expect(bundle.streams.map(\.firstChannel) == [0, 2])
        #expect(bundle.channels == 5)
        // a: 2 channels of 2·3 elements; b: 3 vector channels of one element each.
        #expect(bundle.channelSizes == [6, 6, 1, 1, 1])
        #expect(bundle.elementsPerSample == 15)
        #expect(bundle.samples(.fit) == 6 && bundle.sampleCount(of: .report) == 2)
        #expect(bundle.tasks[0].hasHead == false && bundle.tasks[0].outputShape == [3])
        // Statistics in global order = each stream's own, concatenated.
        let stats = ChannelStats(of: bundle)
        let a = ChannelStats(features: bundle.streams[0].features[.fit]!), b = ChannelStats(features: bundle.streams[1].features[.fit]!)
        #expect(stats.lo == a.lo + b.lo && stats.hi == a.hi + b.hi && stats.mean == a.mean + b.mean && stats.variance == a.variance + b.variance)
        // Rate by hand: bits (1, 2 | 3, 0, 4) → 1·6 + 2·6 + 3 + 0 + 4 = 25 bits per sample over 15 elements.
        let rate = Rate(bits: [1, 2, 3, 0, 4], channelSizes: bundle.channelSizes)
        #expect(rate.bitsPerSample == 25 && rate.bpe == 25.0 / 15.0 && rate.sideInformationBits == 4 * 64)
        // The entropy estimate: each stream's symbols under its own slice of the quantiser.
        let quantiser = Quantiser(fitOf: bundle)
        let full = Rate(bits: [1, 2, 3, 0, 4], quantiser: quantiser, bundle: bundle, split: .eval)
        let ha = quantiser.slice(0..<2).plan(bits: [1, 2]).channelEntropies(bundle.streams[0].features[.eval]!)
        let hb = quantiser.slice(2..<5).plan(bits: [3, 0, 4]).channelEntropies(bundle.streams[1].features[.eval]!)
        #expect(full.entropyBitsPerSample == ha[0] * 6 + ha[1] * 6 + hb[0] + hb[1] + hb[2])
    }

    @Test("heads name their stream; the input shape must be that stream's")
    func headInput() throws {
        var folder = try Folder()
        defer { folder.remove() }
        try folder.writeHead("heads/cls.json", input: "b", inputShape: [3])
        folder.task["head"] = "heads/cls.json"
        let bundle = try folder.load()
        #expect(bundle.tasks[0].input == "b" && bundle.streamIndex(of: bundle.tasks[0]) == 1)
        #expect(bundle.tasks[0].outputShape == [3])

        try folder.writeHead("heads/cls.json", input: nil, inputShape: [3])
        #expect(throws: FeatureDataError(file: folder.file("heads/cls.json"), "input: missing; in a bundle of several streams a head names the stream it reads (\"a\", \"b\")")) { try folder.load() }
        try folder.writeHead("heads/cls.json", input: "c", inputShape: [3])
        #expect(throws: FeatureDataError(file: folder.file("heads/cls.json"), "input: no stream is named \"c\" (streams: \"a\", \"b\")")) { try folder.load() }
        try folder.writeHead("heads/cls.json", input: "a", inputShape: [3])
        #expect(throws: FeatureDataError(file: folder.file("heads/cls.json"), "input_shape: [3] differs from stream \"a\"'s per-sample shape [2, 2, 3]")) { try folder.load() }
        try folder.write(json: ["input": 3, "input_shape": [3], "layers": [] as [Any]], "heads/cls.json")
        #expect(throws: FeatureDataError(file: folder.file("heads/cls.json"), "input: must be a stream's name (a non-empty string)")) { try folder.load() }

        // One stream: `input` may be left out, but if given it must name that stream.
        folder.manifest["streams"] = [["name": "b", "fit": "fit/b.npy", "eval": "eval/b.npy"]]
        try folder.writeHead("heads/cls.json", input: nil, inputShape: [3])
        #expect(try folder.load().tasks[0].input == "b")
        try folder.writeHead("heads/cls.json", input: "features", inputShape: [3])
        #expect(throws: FeatureDataError(file: folder.file("heads/cls.json"), "input: no stream is named \"features\" (streams: \"b\")")) { try folder.load() }
    }

    @Test("bad streams: each error names bundle.json (or the tensor's file) and the field")
    func badStreams() throws {
        var folder = try Folder()
        defer { folder.remove() }
        let good = folder.manifest["streams"]!
        let name = folder.manifestName
        let cases: [(Any?, Any?, String, String)] = [
            (["fit": "fit/a.npy", "eval": "eval/a.npy"], good, name, "features, streams: give one of them, not both (streams replaces features)"),
            (nil, nil, name, "\"features\" is missing (or \"streams\" for several feature tensors)"),
            (nil, [] as [Any], name, "streams: must be a non-empty list of {\"name\", \"fit\", \"eval\"}"),
            (nil, "fit/a.npy", name, "streams: must be a non-empty list of {\"name\", \"fit\", \"eval\"}"),
            (nil, [3], name, "streams[0]: must be an object {\"name\", \"fit\", \"eval\"}"),
            (nil, [["fit": "fit/a.npy", "eval": "eval/a.npy"]], name, "streams[0].name: needs a non-empty string"),
            (nil, [["name": "", "fit": "fit/a.npy", "eval": "eval/a.npy"]], name, "streams[0].name: needs a non-empty string"),
            (nil, [["name": "a", "fit": "fit/a.npy", "eval": "eval/a.npy"], ["name": "a", "fit": "fit/b.npy", "eval": "eval/b.npy"]], name, "streams[1].name: two streams are named \"a\""),
            (nil, [["name": "a", "fit": "fit/a.npy"]], name, "streams[0].eval: needs a path (stream \"a\")"),
            (nil, [["name": "a", "fit": "fit/a.npy", "eval": "eval/b.npy"]], folder.file("eval/b.npy"), "per-sample shape [3] differs from the fit features' [2, 2, 3]"),
        ]
        for (features, streams, file, message) in cases {
            folder.manifest["features"] = features
            folder.manifest["streams"] = streams
            #expect(throws: FeatureDataError(file: file, message), "\(message)") { try folder.load() }
        }
        // Every stream holds the same samples.
        try folder.write(float: [5, 3], "fit/c.npy", seed: 3)
        folder.manifest["features"] = nil
        folder.manifest["streams"] = [["name": "a", "fit": "fit/a.npy", "eval": "eval/a.npy"], ["name": "c", "fit": "fit/c.npy", "eval": "eval/b.npy"]]
        #expect(throws: FeatureDataError(file: folder.file("fit/c.npy"), "streams[1].fit: 5 samples, stream \"a\" has 6 (every stream holds the same samples)")) { try folder.load() }
        // A stream tensor of rank 3 is neither [N, C, H, W] nor [N, C].
        try folder.write(float: [6, 2, 3], "fit/c.npy", seed: 3)
        #expect(throws: FeatureDataError(file: folder.file("fit/c.npy"), "features must be [N, C, H, W] or [N, C], got shape [6, 2, 3]")) { try folder.load() }
    }

    @Test("tasks without a head: the output shape comes from the outputs, labels and targets must agree with it")
    func headless() throws {
        var folder = try Folder()
        defer { folder.remove() }
        // Classification: outputs must be [N].
        try folder.write(labels: [Int64](repeating: 0, count: 12), shape: [6, 2], "fit/outputs.npy")
        #expect(throws: FeatureDataError(file: folder.file("fit/outputs.npy"), "tasks[0].outputs.fit: shape [6, 2], expected [N] (predicted class per sample; task \"cls\" has no head)")) { try folder.load() }

        // Segmentation: outputs [N, H', W'] give the output shape [K, H', W']; labels must match.
        folder.task["kind"] = "segmentation"
        for split in ["fit", "eval"] {
            let n = split == "fit" ? 6 : 4
            try folder.write(labels: (0..<(n * 8)).map { Int64($0 % 3) }, shape: [n, 2, 4], "\(split)/outputs.npy")
            try folder.write(labels: (0..<(n * 8)).map { Int64($0 % 4) - 1 }, shape: [n, 2, 4], "\(split)/labels.npy")
        }
        let segmentation = try folder.load()
        #expect(segmentation.tasks[0].outputShape == [3, 2, 4] && !segmentation.tasks[0].hasHead)
        try folder.write(labels: [Int64](repeating: 0, count: 4 * 6), shape: [4, 2, 3], "eval/labels.npy")
        #expect(throws: FeatureDataError(file: folder.file("eval/labels.npy"), "shape [4, 2, 3], expected [4, 2, 4] (4 eval samples, the fit outputs' per-sample shape)")) { try folder.load() }
        try folder.write(labels: [Int64](repeating: 0, count: 6), "fit/outputs.npy")
        #expect(throws: FeatureDataError(file: folder.file("fit/outputs.npy"), "tasks[0].outputs.fit: shape [6], expected [N, H', W'] (predicted class per pixel; task \"cls\" has no head)")) { try folder.load() }

        // Reconstruction: any per-sample shape, the same for outputs and targets of both splits.
        folder.task = ["name": "rec", "kind": "reconstruction", "peak": 2.0,
                       "targets": ["fit": "fit/targets.npy", "eval": "eval/targets.npy"], "outputs": ["fit": "fit/rec.npy", "eval": "eval/rec.npy"]]
        for (split, n) in [("fit", 6), ("eval", 4)] {
            try folder.write(float: [n, 5], "\(split)/targets.npy", seed: 4)
            try folder.write(float: [n, 5], "\(split)/rec.npy", seed: 5)
        }
        let reconstruction = try folder.load()
        #expect(reconstruction.tasks[0].outputShape == [5] && reconstruction.tasks[0].classes == 5 && reconstruction.tasks[0].peak == 2)
        try folder.write(float: [4, 6], "eval/rec.npy", seed: 5)
        #expect(throws: FeatureDataError(file: folder.file("eval/rec.npy"), "shape [4, 6], expected [4, 5] (4 eval samples, the fit outputs' per-sample shape)")) { try folder.load() }
        try folder.write(float: [6], "fit/rec.npy", seed: 5)
        #expect(throws: FeatureDataError(file: folder.file("fit/rec.npy"), "tasks[0].outputs.fit: shape [6], expected [N, …] with a non-empty per-sample shape (task \"rec\" has no head)")) { try folder.load() }
        // A head that is not a path.
        folder.task["head"] = 7
        #expect(throws: FeatureDataError(file: folder.manifestName, "tasks[0].head: must be a path (or left out: a task without a head is scored by an evaluator)")) { try folder.load() }
    }

    @Test("the committed two-stream bundle: two streams of different sizes, no heads")
    func twoStreamExample() throws {
        let path = URL(fileURLWithPath: BundleTests.mini).deletingLastPathComponent().appendingPathComponent("digits-two-stream").path
        let bundle = try FeatureBundle(directory: path)
        #expect(bundle.streams.map(\.name) == ["s0", "s1"])
        #expect(bundle.streams.map(\.sampleShape) == [[8, 8, 16], [16, 4, 8]])
        #expect(bundle.channels == 24 && bundle.channelSizes == [Int](repeating: 128, count: 8) + [Int](repeating: 32, count: 16))
        #expect(bundle.tasks.map(\.name) == ["left", "right", "recon"] && bundle.tasks.allSatisfy { !$0.hasHead })
        #expect(bundle.tasks.map(\.outputShape) == [[10], [10], [1, 8, 16]])
        // A single-features bundle is one stream named "features".
        let mini = try FeatureBundle(directory: BundleTests.mini)
        #expect(mini.streams.map(\.name) == ["features"] && !mini.isMultiStream && mini.channelSizes == [Int](repeating: 32, count: 32))
    }
}
