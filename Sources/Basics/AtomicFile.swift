import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing a file so that an interrupted or failing run never leaves a half-written file where a
/// good one was: the bytes go to a temporary file in the same folder, then `rename(2)` replaces
/// the destination in one step (same file system).
public enum AtomicFile {
    public static func write(_ text: String, to url: URL) throws(FileWriteError) {
        try write(Data(text.utf8), to: url)
    }

    public static func write(_ data: Data, to url: URL) throws(FileWriteError) {
        let tmp = temporaryURL(for: url)
        // POSIX calls rather than Data.write, so a failure says what the system said ("No space
        // left on device", "File too large") instead of a Foundation error number.
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: url.path, reason: "cannot write: \(String(cString: strerror(errno)))") }
        var failure: String?
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }
        if failure == nil, close(fd) != 0 { failure = String(cString: strerror(errno)) } else if failure != nil { close(fd) }
        if let failure {
            unlink(tmp.path)
            throw FileWriteError(path: url.path, reason: "cannot write: \(failure)")
        }
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp.path)
            throw FileWriteError(path: url.path, reason: reason)
        }
    }

    /// The hidden temporary name beside `url` (`.<name>.tmp-<pid>`).
    public static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    }

    /// Deletes the temporary files (`.<name>.tmp-<pid>`) that a killed process left in `directory`:
    /// those whose process is gone (this process's own id counts as gone, as in `AtomicDirectory`).
    public static func removeLeftovers(in directory: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(".") {
            guard let range = name.range(of: ".tmp-", options: .backwards),
                  let pid = pid_t(name[range.upperBound...]), pid > 0, !AtomicDirectory.isAlive(pid) else { continue }
            let url = directory.appendingPathComponent(name)
            guard let status = AtomicDirectory.fileStatus(url.path), status.st_mode & S_IFMT == S_IFREG else { continue }
            unlink(url.path)
        }
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
