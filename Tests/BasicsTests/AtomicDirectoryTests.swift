@testable import Basics
import Foundation
import Testing

@Suite struct AtomicDirectoryTests {
    /// A fresh parent folder per test; DIR is `parent/out`.
    final class Scratch {
        let parent: URL
        var dir: URL { parent.appendingPathComponent("out") }
        init() throws {
            parent = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-directory-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: parent) }

        func put(_ text: String, _ relative: String) throws {
            let url = dir.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }

        func read(_ relative: String) -> String? {
            FileManager.default.contents(atPath: dir.appendingPathComponent(relative).path).map { String(decoding: $0, as: UTF8.self) }
        }

        /// Every entry under DIR (relative paths, folders end in `/`) with file contents.
        func snapshot() -> [String: String] {
            var out: [String: String] = [:]
            let root = dir.resolvingSymlinksInPath().path
            guard let walker = FileManager.default.enumerator(atPath: root) else { return out }
            for case let path as String in walker {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory) else { continue }
                out[isDirectory.boolValue ? path + "/" : path] = isDirectory.boolValue ? "" : read(path)
            }
            return out
        }

        /// Names in the parent other than DIR: left-over staging folders would show here.
        func siblings() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: parent.path).filter { $0 != "out" }.sorted()
        }
    }

    static let oldSet = ["front.csv": "old csv\n", "summary.json": "{\"old\":1}\n", "front.svg": "<svg>old</svg>\n"]
    static let newSet = ["front.csv": "new csv\n", "summary.json": "{\"new\":2}\n", "front.svg": "<svg>new</svg>\n"]

    /// A pid no process has: a child that already exited and was reaped.
    static func deadPid() throws -> pid_t {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test func createsAMissingFolderAndItsParents() throws {
        let s = try Scratch()
        let nested = s.parent.appendingPathComponent("a/b/out")
        try AtomicDirectory.write(Self.newSet, to: nested)
        #expect(FileManager.default.contents(atPath: nested.appendingPathComponent("summary.json").path) == Data("{\"new\":2}\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: nested.path).sorted() == ["front.csv", "front.svg", "summary.json"])
    }

    @Test func replacesTheWholeOldSet() throws {
        let s = try Scratch()
        try AtomicDirectory.write(Self.oldSet, to: s.dir)
        #expect(s.snapshot() == Self.oldSet)
        try AtomicDirectory.write(Self.newSet, to: s.dir)
        #expect(s.snapshot() == Self.newSet)
        #expect(try s.siblings() == [])
    }

    /// Files, folders and links in DIR that are not part of the set are kept, with their contents.
    @Test func unrelatedEntriesSurvive() throws {
        let s = try Scratch()
        try AtomicDirectory.write(Self.oldSet, to: s.dir)
        try s.put("notes\n", "notes.txt")
        try s.put("{}\n", "checkpoint/run.json")
        try s.put("p\n", "checkpoint/points/ilp-mi.csv")
        try FileManager.default.createSymbolicLink(atPath: s.dir.appendingPathComponent("latest").path, withDestinationPath: "front.csv")
        try AtomicDirectory.write(Self.newSet, to: s.dir)
        var expected = Self.newSet
        expected["notes.txt"] = "notes\n"
        expected["checkpoint/"] = ""
        expected["checkpoint/run.json"] = "{}\n"
        expected["checkpoint/points/"] = ""
        expected["checkpoint/points/ilp-mi.csv"] = "p\n"
        expected["latest"] = "new csv\n"  // the link itself was kept, not the file it named
        #expect(s.snapshot() == expected)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: s.dir.appendingPathComponent("latest").path) == "front.csv")
    }

    /// A failure after the whole new set (and the kept files) is staged, just before the swap:
    /// DIR is exactly as it was and no staging folder is left.
    @Test func failureBeforeTheSwitchLeavesTheFolderAsItWas() throws {
        let s = try Scratch()
        try AtomicDirectory.write(Self.oldSet, to: s.dir)
        try s.put("keep\n", "notes.txt")
        let before = s.snapshot()
        var staged: [String] = []
        #expect(throws: FileWriteError.self) {
            try AtomicDirectory.write(Self.newSet.mapValues { Data($0.utf8) }, to: s.dir, beforeSwitch: { staging throws(FileWriteError) in
                staged = (try? FileManager.default.contentsOfDirectory(atPath: staging.path).sorted()) ?? []
                throw FileWriteError(path: staging.path, reason: "simulated: no space left on device")
            })
        }
        #expect(staged == ["front.csv", "front.svg", "notes.txt", "summary.json"])
        #expect(s.snapshot() == before)
        #expect(try s.siblings() == [])
    }

    /// A real write failure in the middle of the set (a name the file system refuses: longer than
    /// 255 bytes), whatever order the files are written in.
    @Test func writeFailureInTheMiddleLeavesTheFolderAsItWas() throws {
        let s = try Scratch()
        try AtomicDirectory.write(Self.oldSet, to: s.dir)
        let before = s.snapshot()
        var files = Self.newSet
        let longName = String(repeating: "x", count: 300) + ".csv"
        files[longName] = "too long\n"
        do {
            try AtomicDirectory.write(files, to: s.dir)
            Issue.record("expected a FileWriteError")
        } catch {
            #expect(error.path == s.dir.appendingPathComponent(longName).path)
            #expect(!error.reason.isEmpty)
        }
        #expect(s.snapshot() == before)
        #expect(try s.siblings() == [])
    }

    @Test func aFileWhereTheFolderShouldBeIsAnError() throws {
        let s = try Scratch()
        try Data("I am a file\n".utf8).write(to: s.dir)
        do {
            try AtomicDirectory.write(Self.newSet, to: s.dir)
            Issue.record("expected a FileWriteError")
        } catch {
            #expect(error.path == s.dir.path)
            #expect(error.reason == "exists and is not a folder")
        }
        #expect(FileManager.default.contents(atPath: s.dir.path) == Data("I am a file\n".utf8))
        #expect(try s.siblings() == [])
    }

    @Test func namesMustBePlainFileNames() throws {
        let s = try Scratch()
        for bad in ["", ".", "..", "sub/front.csv"] {
            #expect(throws: FileWriteError.self) { try AtomicDirectory.write([bad: "x"], to: s.dir) }
        }
        #expect(!FileManager.default.fileExists(atPath: s.dir.path))
    }

    /// A run killed after its swap leaves the old set in its staging folder; one killed while it
    /// staged leaves a partial new set. The next run deletes both, and keeps folders of a live
    /// process (this test's parent process stands for one) and unrelated names.
    @Test func foldersLeftByDeadRunsAreDeleted() throws {
        let s = try Scratch()
        try AtomicDirectory.write(Self.oldSet, to: s.dir)
        let dead = try Self.deadPid()
        let live = getppid()
        let fm = FileManager.default
        for name in [".out.staging-\(dead)", ".out.staging-\(getpid())", ".out.staging-\(live)", ".other.staging-\(dead)", ".out.staging-x"] {
            try fm.createDirectory(at: s.parent.appendingPathComponent(name), withIntermediateDirectories: false)
            try Data("partial".utf8).write(to: s.parent.appendingPathComponent(name).appendingPathComponent("front.csv"))
        }
        try AtomicDirectory.write(Self.newSet, to: s.dir)
        #expect(s.snapshot() == Self.newSet)
        #expect(try s.siblings() == [".other.staging-\(dead)", ".out.staging-\(live)", ".out.staging-x"].sorted())
    }

    /// Without the exchange a run renames DIR aside, then the new set in. Killed between the two,
    /// it leaves no DIR and the old set in `.out.previous-<pid>`: the next run puts it back first,
    /// and the set it writes then replaces it (unrelated files of the old folder included).
    @Test func oldSetRenamedAsideIsPutBack() throws {
        let s = try Scratch()
        try AtomicDirectory.write(Self.oldSet, to: s.dir)
        try s.put("keep\n", "notes.txt")
        let dead = try Self.deadPid()
        let fm = FileManager.default
        try fm.moveItem(at: s.dir, to: s.parent.appendingPathComponent(".out.previous-\(dead)"))
        try fm.createDirectory(at: s.parent.appendingPathComponent(".out.staging-\(dead)"), withIntermediateDirectories: false)
        try AtomicDirectory.write(["front.csv": "newest\n"], to: s.dir)
        var expected = Self.oldSet
        expected["front.csv"] = "newest\n"
        expected["notes.txt"] = "keep\n"
        #expect(s.snapshot() == expected)
        #expect(try s.siblings() == [])
    }

    /// The two-rename path itself (as on a file system without the exchange) gives the same result.
    @Test func twoRenameFallbackReplacesTheSet() throws {
        let s = try Scratch()
        try AtomicDirectory.write(Self.oldSet, to: s.dir)
        let staging = AtomicDirectory.sibling(of: s.dir, kind: .staging, pid: getpid())
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        try Data("new csv\n".utf8).write(to: staging.appendingPathComponent("front.csv"))
        try AtomicDirectory.switchIn(staging, at: s.dir, replacing: true, reportedAs: s.dir,
                                     exchanging: { _, _ in errno = EINVAL; return false })
        #expect(s.snapshot() == ["front.csv": "new csv\n"])
        // The old set waits at the staging name for the caller to delete.
        #expect(FileManager.default.contents(atPath: staging.appendingPathComponent("summary.json").path) == Data("{\"old\":1}\n".utf8))
        #expect(try s.siblings() == [staging.lastPathComponent])
    }

    /// DIR given as a symbolic link: the folder it points at gets the new set, the link stays.
    @Test func aLinkedFolderIsReplacedWhereItLies() throws {
        let s = try Scratch()
        let real = s.parent.appendingPathComponent("real")
        try AtomicDirectory.write(Self.oldSet, to: real)
        try FileManager.default.createSymbolicLink(atPath: s.dir.path, withDestinationPath: "real")
        try AtomicDirectory.write(Self.newSet, to: s.dir)
        #expect(s.snapshot() == Self.newSet)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: s.dir.path) == "real")
    }

    /// The folder's own permissions carry over to the new folder.
    @Test func folderModeIsKept() throws {
        let s = try Scratch()
        try AtomicDirectory.write(Self.oldSet, to: s.dir)
        chmod(s.dir.path, 0o750)
        try AtomicDirectory.write(Self.newSet, to: s.dir)
        let attributes = try FileManager.default.attributesOfItem(atPath: s.dir.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o750)
    }
}
