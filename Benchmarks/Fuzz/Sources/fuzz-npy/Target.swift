import Foundation
import FeatureData
import FuzzSupport

// The .npy reader: the in-memory decoder (`NpyFile.decode`), and the file readers the bundle
// loader uses (`NpyFile.read`, and `readFloatTensor`, which converts from the mapped file block
// by block). All three must agree: the same inputs refused, the same values read.
let scratch = Scratch("fuzz-npy")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpy(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = Fuzz.data(start, count)
    let decoded = try? NpyFile.decode(data, file: "input.npy")
    let url = scratch.write(data, name: "input.npy")
    let read = try? NpyFile.read(url)
    let tensor = try? NpyFile.readFloatTensor(url)
    Fuzz.require((decoded == nil) == (read == nil), "decode and read disagree on whether the input is an .npy file")
    guard let decoded else {
        Fuzz.require(tensor == nil, "readFloatTensor accepted what decode refused")
        return 0
    }
    Fuzz.require(decoded.shape == read!.shape && decoded.dtype == read!.dtype, "decode and read give other shapes or dtypes")
    Fuzz.require(decoded.shape.reduce(1, *) == decoded.values.count, "shape \(decoded.shape) for \(decoded.values.count) values")
    if decoded.dtype.isFloatingPoint {
        guard let tensor, let expected = try? decoded.floatTensor(file: "input.npy") else {
            Fuzz.require(false, "a floating-point .npy that readFloatTensor refused")
            return 0
        }
        Fuzz.require(tensor.shape == expected.shape, "readFloatTensor shape \(tensor.shape), decode \(expected.shape)")
        Fuzz.require(tensor.values.map(\.bitPattern) == expected.values.map(\.bitPattern), "readFloatTensor and decode give other values")
    } else {
        Fuzz.require(tensor == nil, "readFloatTensor accepted dtype \(decoded.dtype.rawValue)")
        _ = try? decoded.integerTensor(file: "input.npy")
    }
    return 0
}
