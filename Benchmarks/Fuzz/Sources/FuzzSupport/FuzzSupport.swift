import CFuzzerDriver
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the fuzzing targets share.
public enum Fuzz {
    /// Runs libFuzzer's driver over `target` (the function each target also exports as
    /// `LLVMFuzzerTestOneInput`) with the command line's libFuzzer flags.
    /// `setUp` runs first: the targets' globals (scratch folders, the bundle copy) are made there,
    /// not lazily inside the first input, where LeakSanitizer would count them as that input's leak.
    public static func main(_ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32, setUp: () -> Void = {}) -> Never {
        setUp()
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, target))
    }

    /// libFuzzer's input as `Data` (a copy: the parsers may keep it).
    public static func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
        guard let start, count > 0 else { return Data() }
        return Data(bytes: start, count: count)
    }

    /// The repository's root (this file is Benchmarks/Fuzz/Sources/FuzzSupport/FuzzSupport.swift),
    /// or `MIPARETO_ROOT` when set.
    public static var repositoryRoot: URL {
        if let root = ProcessInfo.processInfo.environment["MIPARETO_ROOT"] { return URL(fileURLWithPath: root) }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url
    }

    /// The example bundle the targets read.
    public static var exampleBundle: URL { repositoryRoot.appendingPathComponent("examples/data/digits-pair-mini") }

    /// A property the parser promises did not hold: a crash libFuzzer records with the input.
    public static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                               file: StaticString = #file, line: UInt = #line) {
        if !condition() {
            FileHandle.standardError.write(Data("fuzz property failed: \(message())\n".utf8))
            fatalError(message(), file: file, line: line)
        }
    }
}

/// A private folder in memory (`/dev/shm` when there is one, else the temporary directory), removed
/// when the process exits normally (libFuzzer exits through `exit` at the end of a run).
public struct Scratch: Sendable {
    public let url: URL

    public init(_ name: String) {
        let shm = FileManager.default.isWritableFile(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        let base = ProcessInfo.processInfo.environment["FUZZ_SCRATCH"].map { URL(fileURLWithPath: $0) } ?? shm
        url = base.appendingPathComponent("mipareto-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            fatalError("cannot create the scratch folder \(url.path): \(error)")
        }
        Scratch.register(url)
    }

    /// Writes `data` to `name` inside the folder (replacing it) and returns its URL.
    @discardableResult
    public func write(_ data: Data, name: String) -> URL {
        let file = url.appendingPathComponent(name)
        Scratch.write(data, to: file)
        return file
    }

    /// Replaces the file at `url` with `data`: plain open/write/close (Foundation's `Data.write`
    /// calls fsync, which made every execution wait for the disk).
    public static func write(_ data: Data, to url: URL) {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { fatalError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { $0.isEmpty ? 0 : Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { fatalError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
    }

    public func remove(_ name: String) {
        try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
    }

    nonisolated(unsafe) private static var folders: [URL] = []
    private static func register(_ url: URL) {
        if folders.isEmpty { atexit { for folder in Scratch.folders { try? FileManager.default.removeItem(at: folder) } } }
        folders.append(url)
    }
}
