import FeatureData
import Foundation
import FuzzSupport

// bundle.json and the head JSON files, validated over a real bundle directory: a copy of
// examples/data/digits-pair-mini (its manifest, heads and weights as they are; the fit and eval
// arrays cut to their first 16 and 8 samples, so a load takes well under a millisecond). The
// first byte chooses the file the rest of the input replaces (mod 5: bundle.json, then the heads
// left, right, sum_ge_10, recon); the bundle is then loaded, and the file put back.
let files = ["bundle.json", "heads/left.json", "heads/right.json", "heads/sum_ge_10.json", "heads/recon.json"]
let scratch = Scratch("fuzz-bundle")
let bundle = scratch.url.appendingPathComponent("bundle")
let originals: [Data] = {
    do {
        try makeBundle(from: Fuzz.exampleBundle, to: bundle, samples: ["fit": 16, "eval": 8])
        let loaded = try FeatureBundle(directory: bundle.path)
        precondition(loaded.tasks.count == 4 && loaded.channels == 32, "the cut bundle is not the example's")
        return try files.map { try Data(contentsOf: bundle.appendingPathComponent($0)) }
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
    defer { Scratch.write(original, to: url) }
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
