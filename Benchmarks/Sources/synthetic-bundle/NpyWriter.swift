import Foundation

/// Writes `.npy` version 1.0 files (little-endian, C order): whole arrays, or a header followed by
/// data the caller streams in.
enum NpyWriter {
    /// The header for `descr` and `shape`, padded with spaces to a multiple of 64 bytes as NumPy does.
    static func header(descr: String, shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(dict.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(dict.utf8))
        return data
    }

    /// Creates `url` holding the header only; the caller appends the data.
    static func begin(_ url: URL, descr: String, shape: [Int]) throws -> FileHandle {
        try header(descr: descr, shape: shape).write(to: url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        return handle
    }

    static func write(_ url: URL, descr: String, shape: [Int], values: [Int64]) throws {
        var data = header(descr: descr, shape: shape)
        values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: $0.count * 8)) }
        try data.write(to: url)
    }
}
