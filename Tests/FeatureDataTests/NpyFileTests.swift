import Foundation
import Testing
@testable import FeatureData

/// Builds `.npy` bytes by hand (independent of `NpyFile.encode`): magic, version, header length,
/// header text padded to 64 bytes, data.
func npyBytes(version: UInt8 = 1, header: String, data: [UInt8]) -> Data {
    let preamble = version == 1 ? 10 : 12
    var text = header
    let padding = (64 - (preamble + text.utf8.count + 1) % 64) % 64
    text += String(repeating: " ", count: padding) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let n = text.utf8.count
    bytes += version == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), 0, 0]
    return Data(bytes + Array(text.utf8) + data)
}

func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { v in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}

@Suite("npy files")
struct NpyFileTests {
    @Test("versions 1.0, 2.0 and 3.0 read the same array")
    func versions() throws {
        let data = littleEndianBytes([Int32(1), -2, 3, 4, 5, -6])
        for version: UInt8 in [1, 2, 3] {
            let array = try NpyFile.decode(npyBytes(version: version, header: "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data: data), file: "x.npy")
            #expect(array.shape == [2, 3])
            guard case .int32(let values) = array.values else { Issue.record("dtype"); continue }
            #expect(values == [1, -2, 3, 4, 5, -6])
        }
    }

    @Test("every supported dtype round-trips through write and read, any rank")
    func roundTrip() throws {
        let cases: [NpyArray] = [
            NpyArray(shape: [2, 2], values: .float32([1.5, -2, .pi, 0])),
            NpyArray(shape: [3], values: .float16([0.5, -1, 2048])),
            NpyArray(shape: [1, 1, 2], values: .float64([1e-300, -7.25])),
            NpyArray(shape: [2, 1, 1, 1, 2], values: .int64([Int64.min, -1, 0, Int64.max])),
            NpyArray(shape: [], values: .int32([42])),
            NpyArray(shape: [4], values: .uint8([0, 1, 254, 255])),
            NpyArray(shape: [2], values: .bool([true, false])),
            NpyArray(shape: [0, 3], values: .float32([])),
        ]
        for array in cases {
            let decoded = try NpyFile.decode(NpyFile.encode(array), file: "x.npy")
            #expect(decoded.shape == array.shape, "\(array.dtype)")
            #expect(decoded.dtype == array.dtype)
            switch (decoded.values, array.values) {
            case let (.float32(a), .float32(b)): #expect(a == b)
            case let (.float16(a), .float16(b)): #expect(a == b)
            case let (.float64(a), .float64(b)): #expect(a == b)
            case let (.int64(a), .int64(b)): #expect(a == b)
            case let (.int32(a), .int32(b)): #expect(a == b)
            case let (.uint8(a), .uint8(b)): #expect(a == b)
            case let (.bool(a), .bool(b)): #expect(a == b)
            default: Issue.record("dtype changed")
            }
        }
    }

    @Test("header as numpy writes it: 64-byte aligned data, version 1.0")
    func headerLayout() {
        let bytes = [UInt8](NpyFile.encode(NpyArray(shape: [3], values: .float32([1, 2, 3]))))
        #expect(bytes[6] == 1 && bytes[7] == 0)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"))
        #expect(header.hasSuffix("\n"))
    }

    @Test("reads a file numpy wrote (the embedded bundle's labels)")
    func numpyWritten() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/data/digits-pair-mini/eval/labels_left.npy")
        let array = try NpyFile.read(url)
        #expect(array.shape == [400])
        #expect(array.dtype == .int64)
    }

    func expectError(_ data: Data, containing text: String) {
        do {
            _ = try NpyFile.decode(data, file: "bad.npy")
            Issue.record("no error for \(text)")
        } catch let error as FeatureDataError {
            #expect(error.file == "bad.npy")
            #expect(error.description.hasPrefix("bad.npy: "))
            #expect(error.message.contains(text), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("bad files are errors naming the file, before any allocation")
    func badFiles() {
        let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        expectError(Data("GARBAGE!!!!!!!!!!!!!".utf8), containing: "magic")
        expectError(Data([0x93] + Array("NUMPY".utf8)), containing: "magic")
        expectError(npyBytes(header: "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", data: Array(repeating: 0, count: 16)), containing: "unsupported dtype '<c8'")
        expectError(npyBytes(header: "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", data: Array(repeating: 0, count: 8)), containing: "unsupported dtype '>f4'")
        expectError(npyBytes(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data: Array(repeating: 0, count: 16)), containing: "Fortran")
        expectError(npyBytes(header: good, data: Array(repeating: 0, count: 5)), containing: "truncated")
        // A header that claims 10^12 floats: rejected by size, never allocated.
        expectError(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", data: Array(repeating: 0, count: 8)), containing: "needs 4000000000000 bytes")
        expectError(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", data: []), containing: "too large")
        expectError(npyBytes(header: good, data: Array(repeating: 0, count: 12)), containing: "trailing")
        expectError(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,", data: []), containing: "malformed")
        expectError(npyBytes(header: "{'descr': '<f4', 'shape': (2,), }", data: Array(repeating: 0, count: 8)), containing: "fortran_order")
        expectError(npyBytes(header: "{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }", data: [7]), containing: "neither 0 nor 1")
        var version9 = [UInt8](npyBytes(header: good, data: Array(repeating: 0, count: 8)))
        version9[6] = 9
        expectError(Data(version9), containing: "version 9.0")
        // The header length points past the end of the file.
        var longHeader = [UInt8](npyBytes(header: good, data: []))
        longHeader[8] = 0xFF
        longHeader[9] = 0xFF
        expectError(Data(longHeader), containing: "truncated .npy header")
    }

    @Test("a missing file is an error naming it")
    func missing() {
        #expect(throws: FeatureDataError(file: "/nonexistent/x.npy", "no such file")) {
            try NpyFile.read(URL(fileURLWithPath: "/nonexistent/x.npy"))
        }
    }

    @Test("typed views: floats widen, integers widen, wrong kinds are errors")
    func typedViews() throws {
        let halves = NpyArray(shape: [2], values: .float16([0.5, 3]))
        #expect(try halves.floatTensor(file: "h").values == [0.5, 3])
        #expect(try NpyArray(shape: [2], values: .uint8([1, 200])).integerTensor(file: "u").values == [1, 200])
        #expect(throws: FeatureDataError.self) { try halves.integerTensor(file: "h") }
        #expect(throws: FeatureDataError.self) { try NpyArray(shape: [1], values: .bool([true])).floatTensor(file: "b") }
    }
}

/// Header checks NumPy makes too (issue 16): only whitespace may pad the header, and a header
/// declaring more data than the file holds is refused before anything is allocated.
@Suite("npy files: hostile headers")
struct NpyHostileHeaderTests {
    @Test("junk in the header padding is refused")
    func junkInPadding() throws {
        let bytes = npyBytes(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), } junk", data: littleEndianBytes([Int32(1)]))
        #expect(throws: FeatureDataError.self) { try NpyFile.decode(bytes, file: "x.npy") }
        do { _ = try NpyFile.decode(bytes, file: "x.npy") } catch { #expect("\(error)".contains("something other than padding"), "\(error)") }
    }

    @Test("a header declaring 10^12 elements, or more than the file holds, is refused", arguments: ["(1000000, 1000000)", "(3,)"])
    func moreDataThanTheFile(shape: String) throws {
        let bytes = npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }", data: littleEndianBytes([Int32(1)]))
        do {
            _ = try NpyFile.decode(bytes, file: "x.npy")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("bytes of data, the file has 4"), "\(error)")
        }
    }
}
