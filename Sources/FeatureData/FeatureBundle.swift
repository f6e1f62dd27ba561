import Foundation

/// A feature bundle (docs/format.md, `feature-bundle/1`), loaded and fully validated.
///
/// Everything is checked when it loads: paths stay inside the directory, shapes agree across
/// features, labels, outputs and heads, labels lie in range, features are finite, heads chain.
/// Once a `FeatureBundle` exists, the rest of the toolkit can trust it.
public struct FeatureBundle: Sendable {
    public var name: String
    public var description: String
    /// The directory as the user named it.
    public var directory: String
    /// Features per split: `[N, C, H, W]` or `[N, C]`.
    public var features: [BundleSplit: Tensor<Float>]
    public var tasks: [TaskDescription]
    /// `H·W` of the network's input image (`inputPixels` in bundle.json, optional): rates are then
    /// also reported in bits per input pixel (`Rate.bitsPerInputPixel`).
    public var inputPixels: Int?

    /// The per-sample feature shape: `[C, H, W]` or `[C]`.
    public var channelShape: [Int] { features[.fit]!.sampleShape }
    public var channels: Int { channelShape[0] }
    /// Elements per channel per sample (`H·W`, or 1 for vector features).
    public var elementsPerChannel: Int { channelShape.dropFirst().reduce(1, *) }

    public func samples(_ split: BundleSplit) -> Int { features[split]!.samples }

    /// The samples of `split`: a copy for `search`/`report`, the stored tensor otherwise.
    public func features(for split: Split) -> Tensor<Float> {
        let source = features[split.source]!
        switch split {
        case .fit, .eval: return source
        case .search, .report: return source.selectingSamples(split.sampleIndices(sourceCount: source.samples))
        }
    }

    /// Loads and validates the bundle in `directory` (a path as the user typed it).
    public init(directory path: String) throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw FeatureDataError(file: path, "no such bundle directory")
        }
        guard isDirectory.boolValue else { throw FeatureDataError(file: path, "not a directory (a bundle is a directory holding bundle.json)") }
        let bundle = BundleDirectory(url: url, name: path)
        let manifestName = bundle.displayName("bundle.json")
        let manifest = try bundle.readJSONObject("bundle.json")

        guard let format = manifest["format"] as? String else { throw FeatureDataError(file: manifestName, "\"format\" is missing (expected \"feature-bundle/1\")") }
        guard format == "feature-bundle/1" else { throw FeatureDataError(file: manifestName, "unsupported format \"\(format)\" (this version reads \"feature-bundle/1\")") }
        directory = path
        name = manifest["name"] as? String ?? url.lastPathComponent
        description = manifest["description"] as? String ?? ""
        if let raw = manifest["inputPixels"] {
            guard !(raw is Bool), let value = raw as? Int, value > 0 else { throw FeatureDataError(file: manifestName, "inputPixels: must be a positive integer (H·W of the network input)") }
            inputPixels = value
        }

        // Features.
        let featurePaths = try Self.splitPaths(manifest["features"], key: "features", file: manifestName)
        var features: [BundleSplit: Tensor<Float>] = [:]
        for split in BundleSplit.allCases {
            let relative = featurePaths[split]!
            let file = bundle.displayName(relative)
            let tensor = try bundle.readNpy(relative).floatTensor(file: file)
            guard tensor.rank == 4 || tensor.rank == 2 else {
                throw FeatureDataError(file: file, "features must be [N, C, H, W] or [N, C], got shape \(tensor.shape)")
            }
            guard tensor.samples > 0, tensor.sampleSize > 0 else { throw FeatureDataError(file: file, "features hold no values (shape \(tensor.shape))") }
            try Self.requireFiniteFeatures(tensor, file: file)
            features[split] = tensor
        }
        guard features[.fit]!.sampleShape == features[.eval]!.sampleShape else {
            throw FeatureDataError(file: bundle.displayName(featurePaths[.eval]!), "per-sample shape \(features[.eval]!.sampleShape) differs from the fit features' \(features[.fit]!.sampleShape)")
        }
        self.features = features
        let channelShape = features[.fit]!.sampleShape

        // Tasks.
        guard let taskList = manifest["tasks"] as? [Any], !taskList.isEmpty else {
            throw FeatureDataError(file: manifestName, "\"tasks\" must be a non-empty list")
        }
        var tasks: [TaskDescription] = []
        for (index, item) in taskList.enumerated() {
            guard let object = item as? [String: Any] else { throw FeatureDataError(file: manifestName, "task \(index) is not an object") }
            let task = try Self.loadTask(object, index: index, bundle: bundle, manifestName: manifestName, channelShape: channelShape, samples: [.fit: features[.fit]!.samples, .eval: features[.eval]!.samples])
            guard !tasks.contains(where: { $0.name == task.name }) else { throw FeatureDataError(file: manifestName, "two tasks are named \"\(task.name)\"") }
            tasks.append(task)
        }
        self.tasks = tasks
    }

    static func splitPaths(_ value: Any?, key: String, file: String) throws -> [BundleSplit: String] {
        guard let object = value as? [String: Any] else { throw FeatureDataError(file: file, "\"\(key)\" must be an object {\"fit\": path, \"eval\": path}") }
        var out: [BundleSplit: String] = [:]
        for split in BundleSplit.allCases {
            guard let path = object[split.rawValue] as? String else { throw FeatureDataError(file: file, "\"\(key)\" has no \"\(split.rawValue)\" path") }
            out[split] = path
        }
        return out
    }

    /// Names the file, sample and channel of the first non-finite value.
    static func requireFiniteFeatures(_ tensor: Tensor<Float>, file: String) throws {
        let bad: Int? = tensor.values.withUnsafeBufferPointer { values in
            // A sum is finite only when every term is: one cheap pass, then a search only on failure.
            var sum: Float = 0
            for v in values { sum += v * 0 }
            guard !sum.isFinite || sum != 0 else { return nil }
            return values.firstIndex(where: { !$0.isFinite })
        }
        guard let index = bad else { return }
        let value = tensor.values[index]
        let perChannel = tensor.shape.dropFirst(2).reduce(1, *)
        let sample = index / tensor.sampleSize
        let channel = (index % tensor.sampleSize) / perChannel
        let what = value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf")
        throw FeatureDataError(file: file, "\(what) in channel \(channel) (sample \(sample)); features must be finite")
    }

    static func loadTask(_ object: [String: Any], index: Int, bundle: BundleDirectory, manifestName: String, channelShape: [Int], samples: [BundleSplit: Int]) throws -> TaskDescription {
        guard let name = object["name"] as? String, !name.isEmpty else { throw FeatureDataError(file: manifestName, "task \(index) has no \"name\"") }
        let label = "task \"\(name)\""
        guard let kindText = object["kind"] as? String else { throw FeatureDataError(file: manifestName, "\(label) has no \"kind\"") }
        guard let kind = TaskKind(rawValue: kindText) else {
            throw FeatureDataError(file: manifestName, "\(label): unknown kind \"\(kindText)\" (classification, segmentation or reconstruction)")
        }
        guard let headPath = object["head"] as? String else { throw FeatureDataError(file: manifestName, "\(label) has no \"head\"") }
        let head = try HeadDescription.load(headPath, bundle: bundle)
        let headFile = bundle.displayName(headPath)
        guard head.inputShape == channelShape else {
            throw FeatureDataError(file: headFile, "input_shape \(head.inputShape) differs from the features' per-sample shape \(channelShape)")
        }
        let output = head.outputShape

        var classes = 0
        var peak = 1.0
        switch kind {
        case .classification, .segmentation:
            guard let n = object["classes"] as? NSNumber, let c = exactInt(n), c >= 1 else {
                throw FeatureDataError(file: manifestName, "\(label) needs \"classes\": a positive integer")
            }
            classes = c
            let expected = kind == .classification ? [c] : nil
            if let expected, output != expected {
                throw FeatureDataError(file: headFile, "the head's output shape \(output) should be [\(c)] (class logits of a \(c)-class task)")
            }
            if kind == .segmentation, output.count != 3 || output[0] != c {
                throw FeatureDataError(file: headFile, "the head's output shape \(output) should be [\(c), H', W'] (class logits per pixel)")
            }
        case .reconstruction:
            if let p = object["peak"] {
                guard let n = p as? NSNumber, n.doubleValue.isFinite, n.doubleValue > 0 else {
                    throw FeatureDataError(file: manifestName, "\(label): \"peak\" must be a positive number")
                }
                peak = n.doubleValue
            }
            classes = output.first ?? 1
        }

        let truthKey = kind == .reconstruction ? "targets" : "labels"
        let truthPaths = try splitPaths(object[truthKey], key: "\(label) \(truthKey)", file: manifestName)
        let outputPaths = try splitPaths(object["outputs"], key: "\(label) outputs", file: manifestName)
        var truth: [BundleSplit: TaskTruth] = [:]
        var outputs: [BundleSplit: TaskTruth] = [:]
        for split in BundleSplit.allCases {
            let n = samples[split]!
            for (isOutput, relative) in [(false, truthPaths[split]!), (true, outputPaths[split]!)] {
                let file = bundle.displayName(relative)
                let array = try bundle.readNpy(relative)
                let value: TaskTruth
                switch kind {
                case .classification, .segmentation:
                    let t = try array.integerTensor(file: file)
                    let expectedShape = kind == .classification ? [n] : [n] + output.dropFirst()
                    guard t.shape == expectedShape else {
                        throw FeatureDataError(file: file, "shape \(t.shape), expected \(expectedShape) (\(n) \(split.rawValue) samples, head output \(output))")
                    }
                    // -1 marks an ignored pixel in segmentation labels; predictions never use it.
                    let lowest: Int64 = (kind == .segmentation && !isOutput) ? -1 : 0
                    if let bad = t.values.firstIndex(where: { $0 < lowest || $0 >= Int64(classes) }) {
                        throw FeatureDataError(file: file, "value \(t.values[bad]) at index \(bad) is outside \(lowest)…\(classes - 1) (\(classes) classes)")
                    }
                    value = .labels(t)
                case .reconstruction:
                    let t = try array.floatTensor(file: file)
                    let expectedShape = [n] + output
                    guard t.shape == expectedShape else {
                        throw FeatureDataError(file: file, "shape \(t.shape), expected \(expectedShape) (\(n) \(split.rawValue) samples, head output \(output))")
                    }
                    try requireFinite(t.values, file: file)
                    value = .targets(t)
                }
                if isOutput { outputs[split] = value } else { truth[split] = value }
            }
        }
        return TaskDescription(name: name, kind: kind, classes: classes, peak: peak, head: head, truth: truth, outputs: outputs)
    }
}
