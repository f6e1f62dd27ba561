import Foundation

/// Writing result files so that an interrupted or failing run never leaves a half-written file
/// where a good one was: the text goes to a temporary file in the same folder, then a rename.
public enum OutputFile {
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try data.write(to: tmp)
            // rename(2) replaces the destination in one step, on the same file system.
            guard rename(tmp.path, url.path) == 0 else {
                throw OutputError(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw OutputError(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// A result file that could not be written.
public struct OutputError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
