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
        if mapped {
            do { return try Data(contentsOf: url, options: .mappedIfSafe) } catch {
                let reason = access(url.path, R_OK) == 0 ? "cannot be read" : "cannot be read (\(String(cString: strerror(errno))))"
                throw InputFileError(reason)
            }
        }
        return try readWhole(url)
    }

    /// `read(url)`, or nil when there is no file at `url` (an optional input, such as a
    /// checkpoint's file of a step not reached yet).
    public static func readIfPresent(_ url: URL) throws(InputFileError) -> Data? {
        var s = stat()
        guard lstat(url.path, &s) == 0 || errno != ENOENT else { return nil }
        return try read(url)
    }

    /// The whole file through open/read: Foundation's reader (Swift 6.3) leaks the 4096-byte
    /// buffer it reads an empty file into, which LeakSanitizer reports on every empty input; and
    /// files of /proc report size 0 but have content, so the loop reads to the end, not to st_size.
    private static func readWhole(_ url: URL) throws(InputFileError) -> Data {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputFileError("cannot be read (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var s = stat()
        let expected = fstat(fd, &s) == 0 ? max(0, Int(s.st_size)) : 0
        var bytes = [UInt8](repeating: 0, count: max(expected, 1) + 1)
        var count = 0
        while true {
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw InputFileError("cannot be read (\(String(cString: strerror(errno))))")
            }
            if got == 0 { break }
            count += got
        }
        return Data(bytes[..<count])
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
