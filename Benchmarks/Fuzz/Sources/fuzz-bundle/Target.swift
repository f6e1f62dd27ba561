import FeatureData
import Foundation
import FuzzSupport

// bundle.json and the head JSON files, validated over a real bundle directory: a copy of
// examples/data/digits-pair-mini (its manifest and head JSON as they are; the fit and eval arrays
// cut to their first 16 and 8 samples, and the heads' hidden layers narrowed from 16 and 64 units
// to 2 and 4, so a load reads 2 000 weights instead of 110 000: the fuzzer rewrites the JSON, and
// the loader's checks of it run over the same layer types, files and shape rules). The
// first byte chooses the file the rest of the input replaces (mod 5: bundle.json, then the heads
// left, right, sum_ge_10, recon); the bundle is then loaded, and the file put back.
let files = ["bundle.json", "heads/left.json", "heads/right.json", "heads/sum_ge_10.json", "heads/recon.json"]
let scratch = Scratch("fuzz-bundle")
let bundle = scratch.url.appendingPathComponent("bundle")
// The originals are kept as byte arrays: LeakSanitizer reported `Data` values held in this global
// as leaked (it does not see the pointers Swift keeps in enum spare bits).
let originals: [[UInt8]] = {
    do {
        try makeBundle(from: Fuzz.exampleBundle, to: bundle, samples: ["fit": 16, "eval": 8])
        try narrowHeads(in: bundle, widths: [16: 2, 64: 4, 512: 64])
        let loaded = try FeatureBundle(directory: bundle.path)
        precondition(loaded.tasks.count == 4 && loaded.channels == 32, "the cut bundle is not the example's")
        return try files.map { [UInt8](try Data(contentsOf: bundle.appendingPathComponent($0))) }
    } catch { fatalError("cannot prepare the bundle: \(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundle(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = Fuzz.data(start, count)
    guard let selector = data.first else { return 0 }
    let index = Int(selector) % files.count
    let original = originals[index]  // (the first call makes the bundle)
    let url = bundle.appendingPathComponent(files[index])
    Scratch.write(Data(data.dropFirst()), to: url)
    defer { Scratch.write(Data(original), to: url) }
    guard let loaded = try? FeatureBundle(directory: bundle.path) else { return 0 }
    // What the loader promises (docs/format.md): checked once, then trusted by every command.
    Fuzz.require(!loaded.tasks.isEmpty && loaded.channels > 0, "an empty bundle accepted")
    Fuzz.require(loaded.channelSizes.count == loaded.channels && loaded.channelSizes.allSatisfy { $0 > 0 }, "channel sizes \(loaded.channelSizes)")
    for split in Split.allCases { _ = loaded.sampleCount(of: split) }
    for task in loaded.tasks {
        if let head = task.head {
            Fuzz.require(head.shapes.count == head.layers.count + 1, "head \(task.name): \(head.shapes.count) shapes for \(head.layers.count) layers")
            Fuzz.require(loaded.streamIndex(of: task) != nil, "head \(task.name) reads no stream")
        }
    }
    return 0
}

/// A copy of the bundle at `source` whose fit and eval arrays keep their first `samples[split]`
/// samples (everything else is copied as it is).
func makeBundle(from source: URL, to target: URL, samples: [String: Int]) throws {
    try? FileManager.default.removeItem(at: target)
    try FileManager.default.copyItem(at: source, to: target)
    for (split, keep) in samples {
        let folder = target.appendingPathComponent(split)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".npy") {
            let url = folder.appendingPathComponent(name)
            let array = try NpyFile.read(url)
            let n = min(keep, array.shape[0])
            let per = array.shape.dropFirst().reduce(1, *)
            let values: NpyValues
            switch array.values {
            case .float32(let v): values = .float32(Array(v.prefix(n * per)))
            case .float16(let v): values = .float16(Array(v.prefix(n * per)))
            case .float64(let v): values = .float64(Array(v.prefix(n * per)))
            case .int64(let v): values = .int64(Array(v.prefix(n * per)))
            case .int32(let v): values = .int32(Array(v.prefix(n * per)))
            case .uint8(let v): values = .uint8(Array(v.prefix(n * per)))
            case .bool(let v): values = .bool(Array(v.prefix(n * per)))
            }
            try NpyFile.write(NpyArray(shape: [n] + array.shape.dropFirst(), values: values), to: url)
        }
    }
    for extra in ["reference.json", "mi_reference.json"] { try? FileManager.default.removeItem(at: target.appendingPathComponent(extra)) }
}

/// Narrows the weights of the bundle's heads: every dimension whose size is a key of `widths`
/// keeps its first `widths[size]` entries (a hidden layer of 16 units keeps 2, the dense layer
/// after it sees 2·4·8 = 64 inputs instead of 512), so the head JSON stays valid as it is.
func narrowHeads(in bundle: URL, widths: [Int: Int]) throws {
    let folder = bundle.appendingPathComponent("heads")
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".npy") {
        let url = folder.appendingPathComponent(name)
        let array = try NpyFile.read(url)
        guard case .float32(let values) = array.values else { continue }
        let shape = array.shape.map { widths[$0] ?? $0 }
        guard shape != array.shape else { continue }
        // Row-major strides of the original, then every kept index read from it.
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * array.shape[d + 1] }
        var kept: [Float] = []
        kept.reserveCapacity(shape.reduce(1, *))
        var index = [Int](repeating: 0, count: shape.count)
        for _ in 0..<shape.reduce(1, *) {
            kept.append(values[zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }])
            var d = shape.count - 1
            while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
        }
        try NpyFile.write(NpyArray(shape: shape, values: .float32(kept)), to: url)
    }
}
