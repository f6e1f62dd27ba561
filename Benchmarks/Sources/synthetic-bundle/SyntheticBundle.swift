import ArgumentParser
import Basics
import Dispatch
import Foundation

/// `synthetic-bundle DIR --channels 1024 --height 14 --width 14 --samples 5000 --dtype f2`: a headless
/// feature bundle the size of a split ResNet layer, whose task outputs depend on known channels, so
/// that MI has a right answer to recover (`drivers.json` lists them).
///
/// * `cls` (classification, 10 classes): a driver channel's map is `relu(0.4·y + noise)`.
/// * `seg` (segmentation, 4 classes per pixel at the features' resolution): each sample's map is four
///   quadrants with a random class each; a driver channel is `relu(0.9·class(p) + noise)`.
/// * Every other channel is `relu(noise)`. The network's own outputs are the labels with 5 % of the
///   classification outputs replaced at random (a network that errs a little).
///
/// Written in blocks of samples (bounded memory whatever the size); each sample draws from its own
/// seeded stream, so the bundle is the same for any number of threads.
@main
struct SyntheticBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic-bundle",
        abstract: "Write a headless synthetic feature bundle of a given size with known driver channels."
    )

    @Argument(help: "The bundle directory to write (created; must not exist).")
    var directory: String

    @Option(help: "Channels C.") var channels = 1024
    @Option(help: "Feature map height H (1 with --width 1 gives vector features [N, C]).") var height = 14
    @Option(help: "Feature map width W.") var width = 14
    @Option(help: "Samples per split (fit and eval each).") var samples = 5000
    @Option(help: "Feature dtype: f2, f4 or f8.") var dtype = "f2"
    @Option(help: "Driver channels per task (default: C/64, at least 1).") var drivers: Int?
    @Option(help: "Seed.") var seed: UInt64 = 1

    func validate() throws {
        guard channels >= 2, height >= 1, width >= 1, samples >= 2 else { throw ValidationError("sizes must be positive (C ≥ 2, N ≥ 2)") }
        guard ["f2", "f4", "f8"].contains(dtype) else { throw ValidationError("--dtype must be f2, f4 or f8") }
        guard !FileManager.default.fileExists(atPath: directory) else { throw ValidationError("\(directory) exists") }
    }

    func run() throws {
        let perTask = max(1, drivers ?? channels / 64)
        guard 2 * perTask <= channels else { throw ValidationError("--drivers \(perTask) per task needs C ≥ \(2 * perTask)") }
        // Drivers: a seeded choice of distinct channels, the first half for cls, the second for seg.
        var picker = SeededRandom(seed: seed, stream: 7)
        var order = Array(0..<channels)
        picker.shuffle(&order)
        let clsDrivers = Array(order[0..<perTask]).sorted(), segDrivers = Array(order[perTask..<(2 * perTask)]).sorted()
        var role = [UInt8](repeating: 0, count: channels)
        for c in clsDrivers { role[c] = 1 }
        for c in segDrivers { role[c] = 2 }
        let roles = role

        let root = URL(fileURLWithPath: directory)
        for split in ["fit", "eval"] { try FileManager.default.createDirectory(at: root.appendingPathComponent(split), withIntermediateDirectories: true) }
        let (h, w) = (height, width)
        let shape = (h == 1 && w == 1) ? [samples, channels] : [samples, channels, h, w]
        for (splitIndex, split) in ["fit", "eval"].enumerated() {
            var random = SeededRandom(seed: seed, stream: 100 + UInt64(splitIndex))
            let labels = (0..<samples).map { _ in random.nextInt(below: 10) }
            let quadrantClasses = (0..<samples).map { _ in (0..<4).map { _ in random.nextInt(below: 4) } }
            let (y, quadrants) = (labels, quadrantClasses)
            let predicted = y.map { random.nextUnit() < 0.05 ? random.nextInt(below: 10) : $0 }
            var segLabels = [Int64](repeating: 0, count: samples * h * w)
            for s in 0..<samples {
                for p in 0..<(h * w) { segLabels[s * h * w + p] = Int64(quadrants[s][Self.quadrant(p, height: h, width: w)]) }
            }
            try NpyWriter.write(root.appendingPathComponent("\(split)/labels_cls.npy"), descr: "<i8", shape: [samples], values: y.map(Int64.init))
            try NpyWriter.write(root.appendingPathComponent("\(split)/outputs_cls.npy"), descr: "<i8", shape: [samples], values: predicted.map(Int64.init))
            try NpyWriter.write(root.appendingPathComponent("\(split)/labels_seg.npy"), descr: "<i8", shape: [samples, h, w], values: segLabels)
            try NpyWriter.write(root.appendingPathComponent("\(split)/outputs_seg.npy"), descr: "<i8", shape: [samples, h, w], values: segLabels)
            try writeFeatures(root.appendingPathComponent("\(split)/features.npy"), shape: shape, stream: UInt64(splitIndex)) { s, c, p, rng in
                let noise = rng.nextNormal()
                switch roles[c] {
                case 1: return max(0, 0.4 * Double(y[s]) + noise)
                case 2: return max(0, 0.9 * Double(quadrants[s][Self.quadrant(p, height: h, width: w)]) + noise)
                default: return max(0, noise)
                }
            }
        }
        let manifest: [String: Any] = [
            "format": "feature-bundle/1",
            "name": root.lastPathComponent,
            "description": "Synthetic, headless: \(samples) samples per split of \(channels) channels of \(h)x\(w) (\(dtype)); cls depends on channels \(clsDrivers), seg on \(segDrivers). Score it through an evaluator.",
            "features": ["fit": "fit/features.npy", "eval": "eval/features.npy"],
            "tasks": [
                ["name": "cls", "kind": "classification", "classes": 10,
                 "labels": ["fit": "fit/labels_cls.npy", "eval": "eval/labels_cls.npy"],
                 "outputs": ["fit": "fit/outputs_cls.npy", "eval": "eval/outputs_cls.npy"]],
                ["name": "seg", "kind": "segmentation", "classes": 4,
                 "labels": ["fit": "fit/labels_seg.npy", "eval": "eval/labels_seg.npy"],
                 "outputs": ["fit": "fit/outputs_seg.npy", "eval": "eval/outputs_seg.npy"]],
            ],
        ]
        try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]).write(to: root.appendingPathComponent("bundle.json"))
        try JSONSerialization.data(withJSONObject: ["cls": clsDrivers, "seg": segDrivers], options: [.sortedKeys]).write(to: root.appendingPathComponent("drivers.json"))
        print("wrote \(directory): \(samples) × \(channels) × \(h)×\(w) \(dtype) per split; drivers cls \(clsDrivers.count), seg \(segDrivers.count)")
    }

    /// Which quadrant of an `h × w` map pixel `p` lies in (0 top-left … 3 bottom-right).
    static func quadrant(_ p: Int, height h: Int, width w: Int) -> Int {
        (p / w < (h + 1) / 2 ? 0 : 2) + (p % w < (w + 1) / 2 ? 0 : 1)
    }

    /// Streams the features to `url` in blocks of samples, filled in parallel, one seeded stream per sample.
    func writeFeatures(_ url: URL, shape: [Int], stream: UInt64, value: @escaping @Sendable (Int, Int, Int, inout SeededRandom) -> Double) throws {
        let perSample = channels * height * width
        let descr = "<" + dtype
        let width = dtype == "f2" ? 2 : dtype == "f4" ? 4 : 8
        let handle = try NpyWriter.begin(url, descr: descr, shape: shape)
        defer { try? handle.close() }
        let block = max(1, (64 << 20) / (perSample * width))
        let (c, hw, seed, dtype) = (channels, height * self.width, seed, dtype)
        var start = 0
        while start < samples {
            let count = min(block, samples - start)
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: count * perSample * width, alignment: 8)
            defer { bytes.deallocate() }
            let base = UnsafeSendable(bytes.baseAddress!), first = start
            DispatchQueue.concurrentPerform(iterations: count) { i in
                let s = first + i
                var rng = SeededRandom(seed: seed, stream: (stream << 40) | UInt64(s))
                let out = base.pointer + i * perSample * width
                for ch in 0..<c {
                    for p in 0..<hw {
                        let v = value(s, ch, p, &rng)
                        let index = ch * hw + p
                        switch dtype {
                        case "f2": (out + index * 2).storeBytes(of: Float16(v).bitPattern.littleEndian, as: UInt16.self)
                        case "f4": (out + index * 4).storeBytes(of: Float(v).bitPattern.littleEndian, as: UInt32.self)
                        default: (out + index * 8).storeBytes(of: v.bitPattern.littleEndian, as: UInt64.self)
                        }
                    }
                }
            }
            try handle.write(contentsOf: Data(bytesNoCopy: bytes.baseAddress!, count: bytes.count, deallocator: .none))
            start += count
        }
    }
}

/// A raw pointer handed to `concurrentPerform`'s closures; each iteration writes its own range.
struct UnsafeSendable: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}
