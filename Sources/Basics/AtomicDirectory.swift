import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replacing a set of files in a folder as one step: a command that writes `front.csv`,
/// `summary.json` and `front.svg` into DIR leaves either all three new or all three old, also when
/// the disk fills up or the process is killed at any moment.
///
/// How: the new set is written into a hidden folder beside DIR (`.<DIR>.staging-<pid>`, so on the
/// same file system), together with hard links to every entry of DIR that is not part of the set
/// (those survive, subfolders included); then one `renameat2(RENAME_EXCHANGE)` swaps the two
/// folders, and the old one is deleted. A DIR that does not exist yet is renamed into place. Until
/// the swap nothing in DIR is touched, so a failure leaves DIR as it was.
///
/// Where the file system (or the system: only Linux has the exchange) cannot swap, DIR is renamed
/// aside to `.<DIR>.previous-<pid>` and the new folder renamed in: a kill between the two leaves no
/// DIR for a moment, and the next write to DIR puts the old set back before it starts.
///
/// Folders left by a killed run are deleted by the next write to the same DIR once their process
/// is gone. A folder named with this process's own id is taken as left over too (in a container
/// every run may get the same pid), so one process must not write the same DIR from two threads
/// at once. A DIR that is a symbolic link is followed: the folder it points at is replaced.
public enum AtomicDirectory {
    /// Writes `files` (file name → contents) into `directory` as one step; missing parent folders
    /// are created. File names are plain names (no `/`); a name that is a subfolder in DIR is
    /// replaced by the file.
    public static func write(_ files: [String: Data], to directory: URL) throws(FileWriteError) {
        try write(files, to: directory, beforeSwitch: { _ throws(FileWriteError) in })
    }

    public static func write(_ files: [String: String], to directory: URL) throws(FileWriteError) {
        try write(files.mapValues { Data($0.utf8) }, to: directory)
    }

    /// `beforeSwitch` sees the complete staging folder just before the swap; a test throws there
    /// to stand for a failure at the last moment.
    static func write(_ files: [String: Data], to directory: URL,
                      beforeSwitch: (URL) throws(FileWriteError) -> Void) throws(FileWriteError) {
        for name in files.keys where name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("\0") {
            throw FileWriteError(path: directory.appendingPathComponent(name).path, reason: "not a plain file name")
        }
        let target = directory.standardizedFileURL.resolvingSymlinksInPath()
        let parent = target.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw FileWriteError(path: parent.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        recoverAndCleanUp(target)
        let existing: stat?
        switch fileStatus(target.path) {
        case .some(let s) where s.st_mode & S_IFMT != S_IFDIR:
            throw FileWriteError(path: directory.path, reason: "exists and is not a folder")
        case let s: existing = s
        }

        let staging = sibling(of: target, kind: .staging, pid: getpid())
        do throws(FileWriteError) {
            guard mkdir(staging.path, 0o777) == 0 else { throw FileWriteError(path: staging.path, reason: lastError()) }
            for name in files.keys.sorted() {
                do { try AtomicFile.write(files[name]!, to: staging.appendingPathComponent(name)) } catch {
                    throw FileWriteError(path: directory.appendingPathComponent(name).path, reason: error.reason)
                }
            }
            if existing != nil {
                let kept: [String]
                do { kept = try FileManager.default.contentsOfDirectory(atPath: target.path) } catch {
                    throw FileWriteError(path: directory.path, reason: "cannot list the folder: \(error.localizedDescription)")
                }
                for name in kept.sorted() where files[name] == nil {
                    try linkTree(from: target.appendingPathComponent(name), to: staging.appendingPathComponent(name))
                }
            }
            // DIR's permissions last, so a read-only DIR does not stop the staging writes.
            if let mode = existing?.st_mode { chmod(staging.path, mode & 0o7777) }
            try beforeSwitch(staging)
            try switchIn(staging, at: target, replacing: existing != nil, reportedAs: directory)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        // The old set now lies at `staging`; a failure to delete it only leaves a folder the next
        // run removes.
        try? FileManager.default.removeItem(at: staging)
    }

    /// Puts the complete folder `staging` at `target` in one rename (`exchanging` is replaced in a
    /// test of the fallback).
    static func switchIn(_ staging: URL, at target: URL, replacing: Bool, reportedAs directory: URL,
                         exchanging: (String, String) -> Bool = exchange) throws(FileWriteError) {
        guard replacing else {
            guard rename(staging.path, target.path) == 0 else { throw FileWriteError(path: directory.path, reason: lastError()) }
            return
        }
        if exchanging(staging.path, target.path) { return }
        guard [EINVAL, ENOSYS, ENOTSUP, EOPNOTSUPP].contains(errno) else {
            throw FileWriteError(path: directory.path, reason: lastError())
        }
        // No exchange here: two renames, recoverable by the next run (see the type's comment).
        let previous = sibling(of: target, kind: .previous, pid: getpid())
        guard rename(target.path, previous.path) == 0 else { throw FileWriteError(path: directory.path, reason: lastError()) }
        guard rename(staging.path, target.path) == 0 else {
            let reason = lastError()
            rename(previous.path, target.path)
            throw FileWriteError(path: directory.path, reason: reason)
        }
        // Leave the old set where the caller deletes it.
        rename(previous.path, staging.path)
    }

    /// Swaps two paths atomically; false (with errno) where the system or file system cannot.
    static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        // Glibc's Swift module leaves out the GNU-only renameat2, so it is looked up at run time.
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW) else { errno = ENOSYS; return false }
        defer { dlclose(handle) }
        guard let symbol = dlsym(handle, "renameat2") else { errno = ENOSYS; return false }
        let renameExchange: UInt32 = 1 << 1  // RENAME_EXCHANGE in <linux/fs.h>
        return unsafeBitCast(symbol, to: RenameAt2.self)(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
        #else
        errno = ENOTSUP
        return false
        #endif
    }

    /// Recreates `source` at `destination` from hard links (folders are made anew, links are linked
    /// as links, not followed); copies where the file system refuses hard links.
    static func linkTree(from source: URL, to destination: URL) throws(FileWriteError) {
        guard let status = fileStatus(source.path) else { throw FileWriteError(path: source.path, reason: lastError()) }
        if status.st_mode & S_IFMT == S_IFDIR {
            guard mkdir(destination.path, 0o700) == 0 else { throw FileWriteError(path: destination.path, reason: lastError()) }
            let children: [String]
            do { children = try FileManager.default.contentsOfDirectory(atPath: source.path) } catch {
                throw FileWriteError(path: source.path, reason: "cannot list the folder: \(error.localizedDescription)")
            }
            for child in children.sorted() {
                try linkTree(from: source.appendingPathComponent(child), to: destination.appendingPathComponent(child))
            }
            chmod(destination.path, status.st_mode & 0o7777)
            return
        }
        if linkat(AT_FDCWD, source.path, AT_FDCWD, destination.path, 0) == 0 { return }
        guard [EPERM, EMLINK, EXDEV, ENOTSUP, EOPNOTSUPP].contains(errno) else {
            throw FileWriteError(path: source.path, reason: "cannot keep it in the new folder: \(lastError())")
        }
        do { try FileManager.default.copyItem(at: source, to: destination) } catch {
            throw FileWriteError(path: source.path, reason: "cannot keep it in the new folder: \(error.localizedDescription)")
        }
    }

    // MARK: - Left-over folders

    enum Kind: String { case staging, previous }

    static func sibling(of target: URL, kind: Kind, pid: pid_t) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(kind.rawValue)-\(pid)")
    }

    /// Deletes the folders that runs no longer alive left beside `target`, after putting back the
    /// old set if such a run was stopped between its two renames.
    static func recoverAndCleanUp(_ target: URL) {
        let parent = target.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        let prefix = ".\(target.lastPathComponent)."
        var leftOver: [(kind: Kind, url: URL)] = []
        for name in names.sorted() where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            for kind in [Kind.staging, .previous] where rest.hasPrefix("\(kind.rawValue)-") {
                guard let pid = pid_t(rest.dropFirst(kind.rawValue.count + 1)), pid > 0, !isAlive(pid) else { continue }
                leftOver.append((kind, parent.appendingPathComponent(name)))
            }
        }
        if fileStatus(target.path) == nil, let previous = leftOver.first(where: { $0.kind == .previous }) {
            rename(previous.url.path, target.path)
        }
        for item in leftOver { try? FileManager.default.removeItem(at: item.url) }
    }

    /// Whether another process with this id runs (this process's own id counts as not alive).
    static func isAlive(_ pid: pid_t) -> Bool {
        pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM)
    }

    static func fileStatus(_ path: String) -> stat? {
        var s = stat()
        return lstat(path, &s) == 0 ? s : nil
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
