import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A regular file mapped read-only into memory, so arrays of gigabytes are read in place.
///
/// The pages belong to the page cache, not to the process's anonymous memory; `release` hands the
/// pages behind a scan back (`madvise(MADV_DONTNEED)`), so a 4 GB file read once does not stay
/// resident. The mapping is private and read-only: released pages are read again from the file if
/// touched, never zeroed.
public final class MappedFile: @unchecked Sendable {
    public let count: Int
    private let base: UnsafeRawPointer?

    public init(_ url: URL) throws(InputFileError) {
        try InputFile.requireRegularFile(url)
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputFileError("cannot be read (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var s = stat()
        guard fstat(fd, &s) == 0 else { throw InputFileError("cannot be read (\(String(cString: strerror(errno))))") }
        count = Int(s.st_size)
        guard count > 0 else { base = nil; return }
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw InputFileError("cannot be mapped (\(String(cString: strerror(errno))))")
        }
        base = UnsafeRawPointer(p)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// The file's bytes, valid while `self` lives.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count) }

    /// Gives back the whole pages inside `range` (bytes already read and not needed again).
    public func release(_ range: Range<Int>) {
        guard let base, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound == count ? count : range.upperBound / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }
}
