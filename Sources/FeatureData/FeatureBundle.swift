import Basics
import Foundation

/// A feature bundle (docs/format.md, `feature-bundle/1`), loaded and fully validated.
///
/// Everything is checked when it loads: paths stay inside the directory, shapes agree across
/// streams, labels, outputs and heads, labels lie in range, features are finite, heads chain and
/// read an existing stream. Once a `FeatureBundle` exists, the rest of the toolkit can trust it.
///
/// Features come as one or more streams (`features` is one stream named `features`); channels
/// are numbered globally, stream after stream.
public struct FeatureBundle: Sendable {
    public var name: String
    public var description: String
    /// The directory as the user named it.
    public var directory: String
    /// The split tensors, in global channel order (one for a bundle with `features`).
    public var streams: [FeatureStream]
    public var tasks: [TaskDescription]
    /// `H·W` of the network's input image (`inputPixels` in bundle.json, optional): rates are then
    /// also reported in bits per input pixel (`Rate.bitsPerInputPixel`).
    public var inputPixels: Int?

    /// Builds a bundle from parts already validated (e.g. one stream of a loaded bundle).
    public init(name: String, description: String, directory: String, streams: [FeatureStream], tasks: [TaskDescription]) {
        self.name = name
        self.description = description
        self.directory = directory
        self.streams = streams
        self.tasks = tasks
    }

    /// Whether the features come as several streams.
    public var isMultiStream: Bool { streams.count > 1 }

    /// Every channel of every stream.
    public var channels: Int { streams.reduce(0) { $0 + $1.channels } }
    /// Elements per sample of each global channel (`H_s·W_s` of its stream): the sizes `S_c` of
    /// the rate and of the allocation models.
    public var channelSizes: [Int] { streams.flatMap { [Int](repeating: $0.elementsPerChannel, count: $0.channels) } }
    /// Feature elements per sample over all streams.
    public var elementsPerSample: Int { streams.reduce(0) { $0 + $1.channels * $1.elementsPerChannel } }

    /// The features of a single-stream bundle per split: `[N, C, H, W]` or `[N, C]`. Code that
    /// handles several streams uses `streams`.
    public var features: FeatureSplits {
        get { precondition(streams.count == 1, "features of a bundle of \(streams.count) streams: use streams"); return streams[0].features }
        set { precondition(streams.count == 1, "features of a bundle of \(streams.count) streams: use streams"); streams[0].features = newValue }
    }
    /// The per-sample feature shape of a single-stream bundle: `[C, H, W]` or `[C]`.
    public var channelShape: [Int] {
        precondition(streams.count == 1, "channelShape of a bundle of \(streams.count) streams: use streams")
        return streams[0].sampleShape
    }
    /// Elements per channel per sample of a single-stream bundle (`H·W`, or 1 for vector features).
    public var elementsPerChannel: Int {
        precondition(streams.count == 1, "elementsPerChannel of a bundle of \(streams.count) streams: use channelSizes")
        return streams[0].elementsPerChannel
    }

    public func samples(_ split: BundleSplit) -> Int { streams[0].sources[split]!.samples }
    /// Samples in `split` (derived splits included).
    public func sampleCount(of split: Split) -> Int { split.sampleIndices(sourceCount: samples(split.source)).count }

    /// The samples of `split` of a single-stream bundle: a copy for `search`/`report`, the stored tensor otherwise.
    public func features(for split: Split) -> Tensor<Float> {
        precondition(streams.count == 1, "features of a bundle of \(streams.count) streams: use streams")
        return streams[0].features(for: split)
    }

    /// `perBlock` over channel blocks of every stream's `split` (`FeatureSource.mapChannelBlocks`:
    /// a few channels of every sample in float32 at a time, blocks over the cores), given the
    /// stream, the block's channels in the global numbering and its values; results in global
    /// channel order. Memory stays bounded whatever the bundle's size.
    ///
    /// A feature file cannot change once loaded except by another program truncating it: that
    /// stops the process with `error: FILE: the file shrank …` and exit status 2 (the pages past
    /// the end are never read), as `FeatureSource.tensor` does for a shortage of memory.
    public func mapChannelBlocks<Result: Sendable>(of split: Split, progress label: String? = nil,
                                                   _ perBlock: @Sendable (FeatureStream, Range<Int>, Tensor<Float>) -> Result) -> [Result] {
        let progress = label.map { ProgressLine($0) }
        let total = Double(streams.reduce(0) { $0 + $1.channels * $1.elementsPerChannel })
        var out: [Result] = []
        var done = 0.0
        for stream in streams {
            let weight = Double(stream.channels * stream.elementsPerChannel) / total, before = done
            out += Self.readOrStop {
                try stream.mapChannelBlocks(of: split, progress: { f in progress?.update(fraction: before + weight * f) }) { range, block in
                    perBlock(stream, (stream.firstChannel + range.lowerBound)..<(stream.firstChannel + range.upperBound), block)
                }
            }
            done += weight
        }
        progress?.finish()
        return out
    }

    /// `body`'s value; a read error (a feature file truncated by another program while mapped)
    /// stops the process with `error: …` and exit status 2. See `mapChannelBlocks`.
    public static func readOrStop<T>(_ body: () throws -> T) -> T {
        do { return try body() } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(2)
        }
    }

    /// The index of the stream named `name`.
    public func streamIndex(named name: String) -> Int? { streams.firstIndex { $0.name == name } }

    /// The stream a task's head reads (nil for a task without a head).
    public func streamIndex(of task: TaskDescription) -> Int? {
        guard task.hasHead else { return nil }
        return task.input.flatMap(streamIndex(named:)) ?? 0
    }

    /// The bundle of stream `index` alone (channels renumbered from 0), with the tasks `keeping`
    /// selects: what a head of that stream, or a per-stream computation, sees.
    public func stream(_ index: Int, keeping keep: (TaskDescription) -> Bool = { _ in true }) -> FeatureBundle {
        var stream = streams[index]
        stream.firstChannel = 0
        return FeatureBundle(name: name, description: description, directory: directory, streams: [stream], tasks: tasks.filter(keep))
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

        self.streams = try Self.loadStreams(manifest, bundle: bundle, manifestName: manifestName)
        let streams = self.streams

        // Tasks.
        guard let taskList = manifest["tasks"] as? [Any], !taskList.isEmpty else {
            throw FeatureDataError(file: manifestName, "\"tasks\" must be a non-empty list")
        }
        var tasks: [TaskDescription] = []
        for (index, item) in taskList.enumerated() {
            guard let object = item as? [String: Any] else { throw FeatureDataError(file: manifestName, "task \(index) is not an object") }
            let task = try Self.loadTask(object, index: index, bundle: bundle, manifestName: manifestName, streams: streams,
                                         samples: [.fit: streams[0].sources[.fit]!.samples, .eval: streams[0].sources[.eval]!.samples])
            guard !tasks.contains(where: { $0.name == task.name }) else { throw FeatureDataError(file: manifestName, "two tasks are named \"\(task.name)\"") }
            tasks.append(task)
        }
        self.tasks = tasks
    }

    /// `features` (one stream named `features`) or `streams`: exactly one of them.
    static func loadStreams(_ manifest: [String: Any], bundle: BundleDirectory, manifestName: String) throws -> [FeatureStream] {
        let hasFeatures = manifest["features"] != nil, hasStreams = manifest["streams"] != nil
        guard hasFeatures != hasStreams else {
            throw FeatureDataError(file: manifestName, hasFeatures ? "features, streams: give one of them, not both (streams replaces features)"
                                                                   : "\"features\" is missing (or \"streams\" for several feature tensors)")
        }
        var entries: [(name: String, paths: [BundleSplit: String])] = []
        if hasFeatures {
            entries = [("features", try splitPaths(manifest["features"], key: "features", file: manifestName))]
        } else {
            guard let list = manifest["streams"] as? [Any], !list.isEmpty else {
                throw FeatureDataError(file: manifestName, "streams: must be a non-empty list of {\"name\", \"fit\", \"eval\"}")
            }
            for (i, item) in list.enumerated() {
                let field = "streams[\(i)]"
                guard let object = item as? [String: Any] else { throw FeatureDataError(file: manifestName, "\(field): must be an object {\"name\", \"fit\", \"eval\"}") }
                guard let name = object["name"] as? String, !name.isEmpty else { throw FeatureDataError(file: manifestName, "\(field).name: needs a non-empty string") }
                guard !entries.contains(where: { $0.name == name }) else { throw FeatureDataError(file: manifestName, "\(field).name: two streams are named \"\(name)\"") }
                var paths: [BundleSplit: String] = [:]
                for split in BundleSplit.allCases {
                    guard let path = object[split.rawValue] as? String else { throw FeatureDataError(file: manifestName, "\(field).\(split.rawValue): needs a path (stream \"\(name)\")") }
                    paths[split] = path
                }
                entries.append((name, paths))
            }
        }
        var streams: [FeatureStream] = []
        var first = 0
        for (i, entry) in entries.enumerated() {
            let field = hasFeatures ? "features" : "streams[\(i)]"
            var sources: [BundleSplit: FeatureSource] = [:]
            for split in BundleSplit.allCases {
                let relative = entry.paths[split]!
                let file = bundle.displayName(relative)
                let source = try bundle.mapFloatArray(relative)
                guard source.shape.count == 4 || source.shape.count == 2 else {
                    throw FeatureDataError(file: file, "features must be [N, C, H, W] or [N, C], got shape \(source.shape)")
                }
                guard source.count > 0 else { throw FeatureDataError(file: file, "features hold no values (shape \(source.shape))") }
                if let reference = streams.first, source.samples != reference.sources[split]!.samples {
                    throw FeatureDataError(file: file, "\(field).\(split.rawValue): \(source.samples) samples, stream \"\(reference.name)\" has \(reference.sources[split]!.samples) (every stream holds the same samples)")
                }
                try source.requireFinite()
                sources[split] = source
            }
            guard sources[.fit]!.sampleShape == sources[.eval]!.sampleShape else {
                throw FeatureDataError(file: bundle.displayName(entry.paths[.eval]!), "per-sample shape \(sources[.eval]!.sampleShape) differs from the fit features' \(sources[.fit]!.sampleShape)")
            }
            let stream = FeatureStream(name: entry.name, firstChannel: first, sources: sources)
            first += stream.channels
            streams.append(stream)
        }
        return streams
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

    static func loadTask(_ object: [String: Any], index: Int, bundle: BundleDirectory, manifestName: String, streams: [FeatureStream], samples: [BundleSplit: Int]) throws -> TaskDescription {
        guard let name = object["name"] as? String, !name.isEmpty else { throw FeatureDataError(file: manifestName, "task \(index) has no \"name\"") }
        let label = "task \"\(name)\""
        guard let kindText = object["kind"] as? String else { throw FeatureDataError(file: manifestName, "\(label) has no \"kind\"") }
        guard let kind = TaskKind(rawValue: kindText) else {
            throw FeatureDataError(file: manifestName, "\(label): unknown kind \"\(kindText)\" (classification, segmentation or reconstruction)")
        }
        let truthKey = kind == .reconstruction ? "targets" : "labels"
        let truthPaths = try splitPaths(object[truthKey], key: "\(label) \(truthKey)", file: manifestName)
        let outputPaths = try splitPaths(object["outputs"], key: "\(label) outputs", file: manifestName)

        // The head is optional: a task without one is scored only by an evaluator.
        var head: HeadDescription?
        var input: String?
        if let raw = object["head"], !(raw is NSNull) {
            guard let headPath = raw as? String else { throw FeatureDataError(file: manifestName, "tasks[\(index)].head: must be a path (or left out: a task without a head is scored by an evaluator)") }
            let loaded = try HeadDescription.load(headPath, bundle: bundle)
            let headFile = bundle.displayName(headPath)
            let stream = try inputStream(of: loaded, file: headFile, streams: streams)
            guard loaded.inputShape == stream.sampleShape else {
                if streams.count == 1 && stream.name == "features" {
                    throw FeatureDataError(file: headFile, "input_shape \(loaded.inputShape) differs from the features' per-sample shape \(stream.sampleShape)")
                }
                throw FeatureDataError(file: headFile, "input_shape: \(loaded.inputShape) differs from stream \"\(stream.name)\"'s per-sample shape \(stream.sampleShape)")
            }
            head = loaded
            input = stream.name
        }

        var classes = 0
        var peak = 1.0
        if kind != .reconstruction {
            guard let n = object["classes"] as? NSNumber, let c = exactInt(n), c >= 1 else {
                throw FeatureDataError(file: manifestName, "\(label) needs \"classes\": a positive integer")
            }
            classes = c
        } else if let p = object["peak"] {
            // PSNR divides peak² by the MSE: a square that overflows or underflows gives ±inf.
            guard let n = p as? NSNumber, n.doubleValue > 0, (n.doubleValue * n.doubleValue).isNormal else {
                throw FeatureDataError(file: manifestName, "\(label): \"peak\" must be a positive number whose square is a normal double (about 1e-154…1e154), got \(p)")
            }
            peak = n.doubleValue
        }

        // The per-sample output: the head's, or (no head) read off the outputs array itself.
        var preread: [String: NpyArray] = [:]
        let output: [Int]
        let outputOrigin: String
        if let head {
            output = head.outputShape
            outputOrigin = "head output \(output)"
            let headFile = bundle.displayName(object["head"] as! String)
            switch kind {
            case .classification where output != [classes]:
                throw FeatureDataError(file: headFile, "the head's output shape \(output) should be [\(classes)] (class logits of a \(classes)-class task)")
            case .segmentation where output.count != 3 || output[0] != classes:
                throw FeatureDataError(file: headFile, "the head's output shape \(output) should be [\(classes), H', W'] (class logits per pixel)")
            default: break
            }
        } else {
            let relative = outputPaths[.fit]!
            let file = bundle.displayName(relative)
            let array = try bundle.readNpy(relative)
            preread[relative] = array
            let shape = array.shape
            let field = "tasks[\(index)].outputs.fit"
            switch kind {
            case .classification:
                guard shape.count == 1 else { throw FeatureDataError(file: file, "\(field): shape \(shape), expected [N] (predicted class per sample; task \"\(name)\" has no head)") }
                output = [classes]
            case .segmentation:
                guard shape.count == 3 else { throw FeatureDataError(file: file, "\(field): shape \(shape), expected [N, H', W'] (predicted class per pixel; task \"\(name)\" has no head)") }
                output = [classes] + shape.dropFirst()
            case .reconstruction:
                guard shape.count >= 2, shape.dropFirst().allSatisfy({ $0 > 0 }) else {
                    throw FeatureDataError(file: file, "\(field): shape \(shape), expected [N, …] with a non-empty per-sample shape (task \"\(name)\" has no head)")
                }
                output = Array(shape.dropFirst())
            }
            outputOrigin = "the fit outputs' per-sample shape"
        }
        if kind == .reconstruction { classes = output.first ?? 1 }

        var truth: [BundleSplit: TaskTruth] = [:]
        var outputs: [BundleSplit: TaskTruth] = [:]
        for split in BundleSplit.allCases {
            let n = samples[split]!
            for (isOutput, relative) in [(false, truthPaths[split]!), (true, outputPaths[split]!)] {
                let file = bundle.displayName(relative)
                let array = try preread[relative] ?? bundle.readNpy(relative)
                if isOutput && split == .fit { preread[relative] = nil }
                let value: TaskTruth
                switch kind {
                case .classification, .segmentation:
                    let t = try array.integerTensor(file: file)
                    let expectedShape = kind == .classification ? [n] : [n] + output.dropFirst()
                    guard t.shape == expectedShape else {
                        throw FeatureDataError(file: file, "shape \(t.shape), expected \(expectedShape) (\(n) \(split.rawValue) samples, \(outputOrigin))")
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
                        throw FeatureDataError(file: file, "shape \(t.shape), expected \(expectedShape) (\(n) \(split.rawValue) samples, \(outputOrigin))")
                    }
                    try requireFinite(t.values, file: file)
                    value = .targets(t)
                }
                if isOutput { outputs[split] = value } else { truth[split] = value }
            }
        }
        return TaskDescription(name: name, kind: kind, classes: classes, peak: peak, head: head, input: input, outputShape: output, truth: truth, outputs: outputs)
    }

    /// The stream a head reads: the one its `input` names (required with several streams; with
    /// one stream, `input` may be left out but must name that stream if given).
    static func inputStream(of head: HeadDescription, file: String, streams: [FeatureStream]) throws -> FeatureStream {
        let names = streams.map { "\"\($0.name)\"" }.joined(separator: ", ")
        guard let input = head.input else {
            guard streams.count == 1 else { throw FeatureDataError(file: file, "input: missing; in a bundle of several streams a head names the stream it reads (\(names))") }
            return streams[0]
        }
        guard let stream = streams.first(where: { $0.name == input }) else {
            throw FeatureDataError(file: file, "input: no stream is named \"\(input)\" (streams: \(names))")
        }
        return stream
    }
}
