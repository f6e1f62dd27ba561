import Foundation

/// One line of progress on stderr — a bar, the fraction, the time left and a detail — redrawn in
/// place, only when stderr is a terminal (and the caller did not ask for quiet). Every long step
/// of every command reports through it, so they all look alike.
public final class ProgressLine: @unchecked Sendable {
    public let label: String
    public let enabled: Bool
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private var shown = false
    private var lastDraw: ContinuousClock.Instant?
    private var completed = 0

    /// - Parameter quiet: true turns the line off (`--quiet`); it is also off when stderr is not
    ///   a terminal, so logs and pipes never see carriage returns, and after `silenceAll()`.
    public init(_ label: String, quiet: Bool = false) {
        self.label = label
        enabled = !quiet && !ProgressLine.silenced.value && isatty(STDERR_FILENO) != 0
    }

    /// Turns off every progress line made from now on, the library's own steps included
    /// (what `--quiet` promises: no progress output on stderr at all).
    public static func silenceAll() { silenced.set(true) }

    private static let silenced = LockedFlag()

    /// Draws `[####....] 42% 0:13 left  detail` (at most every 0.1 s, except the last update).
    public func update(fraction: Double, detail: String = "") {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = ContinuousClock.now
        let f = Swift.min(1, Swift.max(0, fraction.isFinite ? fraction : 0))
        if let last = lastDraw, now - last < .milliseconds(100), f < 1 { return }
        lastDraw = now
        let width = 24
        let filled = Int(f * Double(width))
        var line = "\r\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        line += String(format: " %3.0f%%", 100 * f)
        let elapsed = (now - start).seconds
        if f > 0.02, f < 1, elapsed > 1 { line += " " + Self.clock(elapsed * (1 - f) / f) + " left" }
        if !detail.isEmpty { line += "  " + detail }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
        shown = true
    }

    /// `done` of `total` items.
    public func update(done: Int, of total: Int, detail: String = "") {
        update(fraction: total > 0 ? Double(done) / Double(total) : 1, detail: detail)
    }

    /// One more of `total` items done (items may finish on any thread, in any order).
    public func completeOne(of total: Int) {
        guard enabled else { return }
        lock.lock()
        completed += 1
        let done = completed
        lock.unlock()
        update(done: done, of: total)
    }

    /// Clears the line.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if enabled && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// A Boolean shared across threads.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.lock(); defer { lock.unlock() }; return flag }
    func set(_ v: Bool) { lock.lock(); flag = v; lock.unlock() }
}
