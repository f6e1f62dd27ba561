import Foundation
import Testing
@testable import Basics

/// `InputFile` reads with open/read: Foundation's reader leaked the buffer of an empty file (found by
/// the fuzz-front-checkpoint target, an empty points file), and files of /proc report size 0.
@Suite("InputFile reads whole files, empty ones and /proc's included")
struct InputFileTests {
    static func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-input-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return url
    }

    @Test("an empty file is zero bytes; a file larger than one read is read to its last byte")
    func sizes() throws {
        for count in [0, 1, 4095, 4096, 70_001] {
            // A pattern whose bytes differ from their neighbours, so a short or shifted read shows.
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 8) }
            let url = try Self.temporaryFile(bytes)
            defer { try? FileManager.default.removeItem(at: url) }
            #expect([UInt8](try InputFile.read(url)) == bytes, "\(count) bytes")
            #expect(try InputFile.readIfPresent(url).map { [UInt8]($0) } == bytes)
        }
    }

    @Test("a file of /proc (size 0 in stat) is read to its end")
    func procFile() throws {
        let text = String(decoding: try InputFile.read(URL(fileURLWithPath: "/proc/self/status")), as: UTF8.self)
        #expect(text.hasPrefix("Name:"))
        #expect(text.contains("\nPid:"))
    }

    @Test("readIfPresent: nil for no file; a directory or a FIFO is still an error")
    func optional() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-missing-\(UUID().uuidString)")
        #expect(try InputFile.readIfPresent(missing) == nil)
        #expect(throws: InputFileError("is a directory, not a file")) { try InputFile.readIfPresent(FileManager.default.temporaryDirectory) }
        let fifo = missing.appendingPathExtension("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(at: fifo) }
        #expect(throws: InputFileError("is a FIFO (named pipe), not a regular file")) { try InputFile.readIfPresent(fifo) }
    }
}
