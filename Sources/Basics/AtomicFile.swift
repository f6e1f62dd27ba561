import Foundation

/// Writing a file so that an interrupted or failing run never leaves a half-written file where a
/// good one was: the bytes go to a temporary file in the same folder, then `rename(2)` replaces
/// the destination in one step (same file system).
public enum AtomicFile {
    public static func write(_ text: String, to url: URL) throws(FileWriteError) {
        try write(Data(text.utf8), to: url)
    }

    public static func write(_ data: Data, to url: URL) throws(FileWriteError) {
        let tmp = temporaryURL(for: url)
        do {
            try data.write(to: tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw FileWriteError(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw FileWriteError(path: url.path, reason: reason)
        }
    }

    /// The hidden temporary name beside `url` (`.<name>.tmp-<pid>`).
    public static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    }
}

/// A result file that could not be written.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}
