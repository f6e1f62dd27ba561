import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started from an argument vector (never through a shell), its stdin and
/// stdout as pipes this process reads and writes without blocking, and its stderr relayed to
/// ours line by line behind a prefix, the last lines kept for error messages.
///
/// The child runs in a process group of its own, so a Ctrl-C at the terminal reaches MIPareto
/// only, which then stops the child in order; if MIPareto dies, the child sees EOF on stdin.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    /// Our end of the child's stdin (non-blocking), -1 once closed.
    private(set) var input: Int32
    /// Our end of the child's stdout (non-blocking).
    let output: Int32
    private var outputClosed = false
    private let lock = NSLock()
    private var lastErrorLines: [String] = []
    private var exitStatus: Int32?
    static let keptErrorLines = 20

    enum SpawnError: Error {
        case notFound, notExecutable, other(Int32)
    }

    /// Starts `arguments[0]` (looked up in PATH as `execvp` does) with the rest as its arguments,
    /// in this process's working directory and environment.
    init(arguments: [String], errorPrefix: String) throws(SpawnError) {
        // Writing to a child that died must fail with EPIPE, not kill us.
        signal(SIGPIPE, SIG_IGN)
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        // Close-on-exec, so no other child inherits these ends (pipe2 is not visible from Swift).
        for i in 0..<3 {
            let ok = i == 0 ? pipe(&toChild) : i == 1 ? pipe(&fromChild) : pipe(&errors)
            guard ok == 0 else { throw .other(errno) }
        }
        for fd in toChild + fromChild + errors { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let status = posix_spawnp(&child, argv[0]!, &actions, &attributes, &argv, environ)
        close(toChild[0]); close(fromChild[1]); close(errors[1])
        guard status == 0 else {
            close(toChild[1]); close(fromChild[0]); close(errors[0])
            switch status {
            case ENOENT: throw .notFound
            case EACCES, ENOEXEC, EISDIR: throw .notExecutable
            default: throw .other(status)
            }
        }
        pid = child
        input = toChild[1]
        output = fromChild[0]
        _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
        relayErrors(from: errors[0], prefix: errorPrefix)
    }

    /// Copies the child's stderr to ours, each line behind `prefix`, on a thread of its own (the
    /// child must never block on a full stderr pipe while we wait for something else).
    private func relayErrors(from fd: Int32, prefix: String) {
        let thread = Thread { [self] in
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            func emit(_ line: ArraySlice<UInt8>) {
                let text = String(decoding: line, as: UTF8.self)
                FileHandle.standardError.write(Data((prefix + text + "\n").utf8))
                lock.lock()
                lastErrorLines.append(text)
                if lastErrorLines.count > Self.keptErrorLines { lastErrorLines.removeFirst() }
                lock.unlock()
            }
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending += buffer[0..<n]
                while let newline = pending.firstIndex(of: 10) {
                    emit(pending[..<newline])
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { emit(pending[...]) }
            close(fd)
        }
        thread.start()
    }

    /// The child's last stderr lines (for error messages after it failed).
    var recentErrorLines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lastErrorLines
    }

    /// Closes our end of the child's stdin (it sees EOF).
    func closeInput() {
        if input >= 0 { close(input); input = -1 }
    }

    /// The raw wait status once the child has exited (reaped here), else nil.
    func poll() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { exitStatus = status }
        return exitStatus
    }

    /// Waits up to `seconds` for the child to exit.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let status = poll() { return status }
            usleep(10_000)
        }
        return poll()
    }

    /// Stops the child: stdin closed (it should exit on EOF), then after `grace` seconds SIGTERM,
    /// after `termGrace` more SIGKILL. Returns the wait status.
    @discardableResult
    func terminate(grace: Double, termGrace: Double) -> Int32 {
        closeInput()
        if let status = waitForExit(seconds: grace) { return finish(status) }
        kill(pid, SIGTERM)
        if let status = waitForExit(seconds: termGrace) { return finish(status) }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        exitStatus = status
        return finish(status)
    }

    private func finish(_ status: Int32) -> Int32 {
        if !outputClosed { close(output); outputClosed = true }
        return status
    }

    /// "exited with status 3", "was killed by signal 9 (SIGKILL)".
    static func describe(status: Int32) -> String {
        let signalNumber = status & 0x7f
        if signalNumber == 0 { return "exited with status \((status >> 8) & 0xff)" }
        let names: [Int32: String] = [SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGINT: "SIGINT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGPIPE: "SIGPIPE"]
        return "was killed by signal \(signalNumber)" + (names[signalNumber].map { " (\($0))" } ?? "")
    }
}
