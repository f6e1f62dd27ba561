import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading an input file someone else made: only a regular file (links followed) is read, so a
/// FIFO, a device or a socket given by mistake is named for what it is instead of blocking the
/// run forever or failing with a misleading "You don't have permission".
public enum InputFile {
    /// The bytes of the regular file at `url`; `mapped` maps it instead of copying (large arrays).
    public static func read(_ url: URL, mapped: Bool = false) throws(InputFileError) -> Data {
        try requireRegularFile(url)
        do { return try Data(contentsOf: url, options: mapped ? .mappedIfSafe : []) } catch {
            let reason = access(url.path, R_OK) == 0 ? "cannot be read" : "cannot be read (\(String(cString: strerror(errno))))"
            throw InputFileError(reason)
        }
    }

    /// Refuses anything but a regular file (links followed), naming what it is.
    public static func requireRegularFile(_ url: URL) throws(InputFileError) {
        var s = stat()
        guard stat(url.path, &s) == 0 else {
            throw InputFileError(errno == ENOENT || errno == ENOTDIR ? "no such file" : "cannot be read (\(String(cString: strerror(errno))))")
        }
        switch s.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw InputFileError("is a directory, not a file")
        case S_IFIFO: throw InputFileError("is a FIFO (named pipe), not a regular file")
        case S_IFCHR, S_IFBLK: throw InputFileError("is a device, not a regular file")
        case S_IFSOCK: throw InputFileError("is a socket, not a regular file")
        default: throw InputFileError("is not a regular file")
        }
    }
}

/// Why an input file could not be read; the caller puts the file's name in front.
public struct InputFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
