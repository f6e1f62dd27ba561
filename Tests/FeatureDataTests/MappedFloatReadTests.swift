import CHalf
import Foundation
import Testing
@testable import FeatureData

/// Float features are read from the mapped file block by block (float16 through F16C when the CPU
/// has it). The reference for every value is Swift's own `Float(Float16)` / `Float(Double)`, and
/// for the layout the in-memory `NpyFile.decode` path.
@Suite("mapped float reads")
struct MappedFloatReadTests {
    /// Every one of the 65 536 float16 bit patterns, through both C paths, against Swift's conversion.
    @Test("float16 → float32 is exact for every bit pattern (F16C and portable paths)")
    func everyHalf() {
        let patterns = (0...UInt16.max).map { $0 }
        for path in ["dispatch", "portable"] {
            var out = [Float](repeating: 0, count: patterns.count)
            patterns.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { destination in
                    if path == "dispatch" {
                        mipareto_half_to_float(source.baseAddress, destination.baseAddress, patterns.count)
                    } else {
                        mipareto_half_to_float_portable(source.baseAddress, destination.baseAddress, patterns.count)
                    }
                }
            }
            var mismatches = 0
            for (i, bits) in patterns.enumerated() {
                let expected = Float(Float16(bitPattern: bits))
                let same = expected.isNaN ? out[i].isNaN : expected.bitPattern == out[i].bitPattern
                if !same { mismatches += 1 }
            }
            #expect(mismatches == 0, "\(path): \(mismatches) of 65536 patterns differ")
        }
    }

    func temporaryFile(_ data: Data) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString).npy")
        try data.write(to: url)
        return url
    }

    /// 2.5 blocks of 2^20 elements plus a ragged tail, so block edges and the page release in the
    /// middle of the file are crossed; values from a fixed LCG (not from the code under test).
    @Test("readFloatTensor equals the in-memory decode for <f2, <f4, <f8 across block edges", arguments: ["<f2", "<f4", "<f8"])
    func blocks(descr: String) throws {
        let count = (5 << 19) + 777
        var state: UInt64 = 12345
        var raw: [UInt8] = []
        raw.reserveCapacity(count * 8)
        var expected = [Float](repeating: 0, count: count)
        for i in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let x = Double(Int64(bitPattern: state >> 11) % 20000) / 1000 - 10
            switch descr {
            case "<f2":
                let h = Float16(x)
                expected[i] = Float(h)
                raw += [UInt8(h.bitPattern & 0xFF), UInt8(h.bitPattern >> 8)]
            case "<f4":
                expected[i] = Float(x)
                raw += withUnsafeBytes(of: Float(x).bitPattern.littleEndian, Array.init)
            default:
                expected[i] = Float(x)
                raw += withUnsafeBytes(of: x.bitPattern.littleEndian, Array.init)
            }
        }
        let data = npyBytes(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(count / 7), 7), }", data: Array(raw.prefix((count / 7) * 7 * (descr == "<f2" ? 2 : descr == "<f4" ? 4 : 8))))
        let n = (count / 7) * 7
        let url = try temporaryFile(data)
        defer { try? FileManager.default.removeItem(at: url) }
        let mapped = try NpyFile.readFloatTensor(url)
        #expect(mapped.shape == [count / 7, 7])
        #expect(mapped.values == Array(expected.prefix(n)))
        #expect(mapped.values == (try NpyFile.decode(data, file: "x").floatTensor(file: "x")).values)
    }

    @Test("an integer array is an error naming the file; a truncated one too")
    func wrongKinds() throws {
        let ints = try temporaryFile(npyBytes(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", data: littleEndianBytes([Int32(1), 2])))
        defer { try? FileManager.default.removeItem(at: ints) }
        #expect { try NpyFile.readFloatTensor(ints, displayName: "ints.npy") } throws: { error in
            "\(error)".contains("ints.npy") && "\(error)".contains("expected floating-point values")
        }
        let short = try temporaryFile(npyBytes(header: "{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", data: [0, 60, 0, 60]))
        defer { try? FileManager.default.removeItem(at: short) }
        #expect { try NpyFile.readFloatTensor(short, displayName: "short.npy") } throws: { error in
            "\(error)".contains("short.npy") && "\(error)".contains("truncated")
        }
        let empty = try temporaryFile(Data())
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect { try NpyFile.readFloatTensor(empty, displayName: "empty.npy") } throws: { error in
            "\(error)".contains("empty.npy") && "\(error)".contains("not an .npy file")
        }
    }
    /// A file cut short after it was mapped: touching a page past its new end raises SIGBUS, which
    /// `CHalf` turns into an error naming the file. Every kind of read stops there: a channel
    /// block, the statistics pass, the float16 histograms, the finite check and the whole copy.
    @Test("a file truncated while mapped is an error on every read, never a crash", arguments: ["<f2", "<f4", "<f8"])
    func truncatedWhileMapped(descr: String) throws {
        let itemSize = descr == "<f2" ? 2 : descr == "<f4" ? 4 : 8
        let (n, c, h, w) = (16, 2, 64, 64)
        let data = npyBytes(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(n), \(c), \(h), \(w)), }",
                            data: [UInt8](repeating: 0, count: n * c * h * w * itemSize))
        let url = try temporaryFile(data)
        defer { try? FileManager.default.removeItem(at: url) }
        let source = try NpyFile.mapFloatArray(url, displayName: "cut.npy")
        // Keep the header and the first channel map of sample 0: every read below needs far more.
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(data.count - n * c * h * w * itemSize + h * w * itemSize))
        try handle.close()
        func expectTruncated(_ what: String, _ read: () throws -> Void) {
            do {
                try read()
                Issue.record("\(what): read a truncated file without an error")
            } catch let error as FeatureDataError {
                #expect("\(error)".contains("cut.npy") && "\(error)".contains("shrank"), "\(what): \(error)")
            } catch {
                Issue.record("\(what): \(error) is not a FeatureDataError")
            }
        }
        expectTruncated("block") { _ = try source.block(channels: 0..<c, samples: nil) }
        expectTruncated("statistics") { _ = try source.channelStatistics() }
        expectTruncated("finite check") { try source.requireFinite() }
        expectTruncated("whole copy") { _ = try source.wholeTensor() }
        if descr == "<f2" {
            expectTruncated("histograms") { _ = try source.mapHalfHistograms { _, _ in 0 } }
        }
        // What is left still reads.
        let first = try source.block(channels: 0..<1, samples: [0])
        #expect(first.values.count == h * w && first.values.allSatisfy { $0 == 0 })
    }
    /// The finite check scans a mapped file in runs; the first non-finite value is named by its
    /// sample and channel wherever it falls (inside a later run, on a run's first value). Shape
    /// [10, 5, 10, 10]: flat index i is sample i / 500, channel (i / 100) mod 5.
    @Test("a NaN or Inf in a later run of the finite check names its sample and channel",
          arguments: [(3333, 6, 3), (3000, 6, 0), (999, 1, 4), (4999, 9, 4)])
    func nonFiniteAcrossRuns(index: Int, sample: Int, channel: Int) throws {
        var bits = [UInt16](repeating: 0x3C00, count: 5000)   // 1.0
        bits[index] = 0x7E00                                  // NaN
        if index + 7 < 5000 { bits[index + 7] = 0x7C00 }      // a later +Inf must not be the one named
        let raw = bits.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let url = try temporaryFile(npyBytes(header: "{'descr': '<f2', 'fortran_order': False, 'shape': (10, 5, 10, 10), }", data: raw))
        defer { try? FileManager.default.removeItem(at: url) }
        let source = try NpyFile.mapFloatArray(url, displayName: "nan.npy")
        for run in [1000, 64, 5000, 1 << 26] {
            #expect { try source.requireFinite(runLength: run) } throws: { error in
                "\(error)".contains("nan.npy") && "\(error)".contains("NaN in channel \(channel) (sample \(sample))")
            }
        }
    }
}
