import Basics
import FeatureData
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One running external evaluator (`mipareto-evaluator/1`, docs/evaluator.md): the user's own
/// process that scores allocations on their own network. Started with the `start` line, checked
/// against its `ready` line, then asked `score` requests — several outstanding at once, replies in
/// any order — and stopped with `stop`, EOF, SIGTERM after 10 s and SIGKILL after 5 more.
///
/// Every reply is checked (id, count, task names, finite metrics, JSON); anything wrong, a reply
/// later than `timeout`, or the process exiting is an `EvaluatorError` naming the evaluator and
/// the request. Use from one thread at a time.
public final class EvaluatorSession: @unchecked Sendable {
    public struct Task: Sendable {
        public var name: String
        public var metric: String
        /// The metric on unquantised features, per split the evaluator serves.
        public var clean: [Split: Double]
    }

    /// The evaluator's command line as given (for messages).
    public let command: String
    /// In the bundle's task order.
    public private(set) var tasks: [Task] = []
    public private(set) var splits = Set<Split>()
    /// Whether results carry the size of a real coded bitstream (`bitsPerSample`).
    public private(set) var measuresRate = false
    public let channels: Int
    public let maxBits: Int
    /// Seconds a batch (and start → ready) may take; nil waits for ever.
    public let timeout: Double?
    /// `score` requests answered so far, and the allocations in them.
    public private(set) var requestsAnswered = 0
    public private(set) var allocationsAnswered = 0

    private let process: ChildProcess
    private var received: [UInt8] = []
    private var nextID = 1
    private var stopped = false
    /// Lines longer than this are refused (the protocol's bound).
    static let longestLine = 256 << 20

    private static let live = LiveSessions()

    /// One scored allocation.
    public struct Result: Sendable {
        /// Primary metric per task, in the bundle's task order.
        public var metrics: [Double]
        public var codedBitsPerSample: Double?
    }

    /// Starts `command` (split into words with shell quoting, run without a shell) and waits for
    /// its `ready`.
    public init(command: String, bundle: FeatureBundle, quantiser: Quantiser, maxBits: Int, timeout: Double? = nil) throws(EvaluatorError) {
        self.command = command
        self.timeout = timeout
        self.maxBits = maxBits
        channels = bundle.channels
        let words: [String]
        do { words = try CommandWords.split(command) } catch {
            throw EvaluatorError(command: command, request: "command line", problem: error.description, isConfiguration: true)
        }
        do {
            process = try ChildProcess(arguments: words, errorPrefix: "evaluator: ")
        } catch {
            let problem: String
            switch error {
            case .notFound: problem = words[0].contains("/") ? "\(words[0]): no such file" : "\(words[0]): not found in PATH"
            case .notExecutable: problem = "\(words[0]): not executable"
            case .other(let code): problem = "cannot start \(words[0]): \(String(cString: strerror(code)))"
            }
            throw EvaluatorError(command: command, request: "start", problem: problem, isConfiguration: true)
        }
        Self.live.add(process)

        // Handshake. Properties are filled from `ready` below; until then nothing else runs.
        var readyTasks: [Task] = []
        var readySplits = Set<Split>()
        var readyRate = false
        let deadline = timeout.map { ContinuousClock.now + .milliseconds(Int($0 * 1000)) }
        func fail(_ problem: String, configuration: Bool = false) -> EvaluatorError {
            EvaluatorError(command: command, request: "start", problem: problem, recentErrorLines: [], isConfiguration: configuration)
        }
        do throws(EvaluatorError) {
            try writeAll(EvaluatorMessages.start(bundle: bundle, quantiser: quantiser, maxBits: maxBits), deadline: deadline, request: "start")
            let line = try readLine(deadline: deadline, request: "start", waitingFor: "before its ready line")
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw fail("before ready it wrote something that is not a JSON object: \(Self.excerpt(line))")
            }
            guard let type = object["type"] as? String else { throw fail("its first line has no \"type\" (expected \"ready\"): \(Self.excerpt(line))") }
            if type == "error" {
                throw fail("it could not start: \(object["message"] as? String ?? "(no message)")")
            }
            guard type == "ready" else { throw fail("its first line is of type \"\(type)\", expected \"ready\"") }
            guard let version = object["protocol"] as? String else { throw fail("ready has no \"protocol\"") }
            guard version == EvaluatorMessages.protocolName else {
                throw fail("ready speaks protocol \(version); this MIPareto speaks \(EvaluatorMessages.protocolName)", configuration: true)
            }
            guard let splitNames = object["splits"] as? [Any], !splitNames.isEmpty else { throw fail("ready has no \"splits\" list") }
            for item in splitNames {
                guard let name = item as? String, let split = Split(rawValue: name) else {
                    throw fail("ready: splits: \(item) is not one of fit, eval, search, report")
                }
                readySplits.insert(split)
            }
            if let rate = object["measuresRate"] {
                guard let flag = rate as? Bool else { throw fail("ready: measuresRate must be true or false") }
                readyRate = flag
            }
            guard let taskList = object["tasks"] as? [Any] else { throw fail("ready has no \"tasks\" list") }
            var byName: [String: Task] = [:]
            for (i, item) in taskList.enumerated() {
                guard let entry = item as? [String: Any], let name = entry["name"] as? String else { throw fail("ready: tasks[\(i)] has no \"name\"") }
                guard byName[name] == nil else { throw fail("ready: task \(name) is listed twice") }
                guard let bundleTask = bundle.tasks.first(where: { $0.name == name }) else {
                    throw fail("ready: task \(name) is not a task of bundle \(bundle.name) (its tasks: \(bundle.tasks.map(\.name).joined(separator: ", ")))", configuration: true)
                }
                guard let metric = entry["metric"] as? String else { throw fail("ready: task \(name) has no \"metric\"") }
                guard metric == bundleTask.kind.metricName else {
                    throw fail("ready: task \(name) reports \(metric), but a \(bundleTask.kind.rawValue) task's metric is \(bundleTask.kind.metricName)", configuration: true)
                }
                guard let cleanObject = entry["clean"] as? [String: Any] else { throw fail("ready: task \(name) has no \"clean\" object") }
                var clean: [Split: Double] = [:]
                for split in readySplits {
                    guard let value = Self.finiteNumber(cleanObject[split.rawValue]) else {
                        throw fail("ready: task \(name): clean.\(split.rawValue) must be a finite number (the metric on unquantised features of a split it serves)")
                    }
                    clean[split] = value
                }
                byName[name] = Task(name: name, metric: metric, clean: clean)
            }
            for task in bundle.tasks where byName[task.name] == nil {
                throw fail("ready does not list task \(task.name) of bundle \(bundle.name)", configuration: true)
            }
            readyTasks = bundle.tasks.map { byName[$0.name]! }
        } catch var error {
            error.recentErrorLines = settleAndCollectErrors()
            throw error
        }
        tasks = readyTasks
        splits = readySplits
        measuresRate = readyRate
    }

    deinit { stop() }

    /// Fails unless the evaluator serves `split`.
    public func require(split: Split) throws(EvaluatorError) {
        guard splits.contains(split) else {
            throw EvaluatorError(command: command, request: "start", problem: "does not serve split \(split.rawValue) (it serves \(splits.map(\.rawValue).sorted().joined(separator: ", ")))", isConfiguration: true)
        }
    }

    /// Scores every batch (one `score` request each), keeping up to `inflight` requests
    /// outstanding; results in the order of `batches`.
    public func score(split: Split, batches: [[[Int]]], inflight: Int = 1) throws(EvaluatorError) -> [[Result]] {
        try require(split: split)
        var results = [[Result]?](repeating: nil, count: batches.count)
        var outstanding: [Int: (batch: Int, sent: ContinuousClock.Instant)] = [:]
        var next = 0
        var done = 0
        while done < batches.count {
            while outstanding.count < Swift.max(1, inflight), next < batches.count {
                let id = nextID
                nextID += 1
                let request = Self.describe(id: id, batch: batches[next], split: split)
                for bits in batches[next] {
                    guard bits.count == channels, bits.allSatisfy({ (0...maxBits).contains($0) }) else {
                        preconditionFailure("allocation of \(bits.count) depths outside 0…\(maxBits) sent to the evaluator")
                    }
                }
                let sent = ContinuousClock.now
                try writeAll(EvaluatorMessages.score(id: id, split: split, allocations: batches[next]),
                             deadline: timeout.map { sent + .milliseconds(Int($0 * 1000)) }, request: request)
                outstanding[id] = (next, sent)
                next += 1
            }
            let oldest = outstanding.values.map(\.sent).min()!
            let deadline = timeout.map { oldest + .milliseconds(Int($0 * 1000)) }
            let oldestID = outstanding.first { $0.value.sent == oldest }!.key
            let waiting = Self.describe(id: oldestID, batch: batches[outstanding[oldestID]!.batch], split: split)
            let line = try readLine(deadline: deadline, request: waiting, waitingFor: "before replying")
            let (id, reply) = try Self.parseReply(line, command: command, tasks: tasks.map(\.name), measuresRate: measuresRate,
                                                  outstanding: outstanding.mapValues(\.batch), batches: batches, split: split)
            results[outstanding[id]!.batch] = reply
            outstanding[id] = nil
            done += 1
            requestsAnswered += 1
            allocationsAnswered += reply.count
        }
        return results.map { $0! }
    }

    /// Stops the evaluator (`stop`, EOF, SIGTERM after 10 s, SIGKILL after 5 more); idempotent.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        if process.input >= 0 { _ = try? writeAll(EvaluatorMessages.stop, deadline: .now + .seconds(1), request: "stop") }
        process.terminate(grace: 10, termGrace: 5)
        Self.live.remove(process)
    }

    /// Stops every running evaluator at once (SIGINT): EOF, then SIGTERM and SIGKILL as `stop`.
    public static func stopAll() { live.terminateAll() }

    // MARK: - Replies

    /// Parses one reply line to the `score` requests `outstanding` (request id → index in
    /// `batches`), for an evaluator whose `ready` listed `tasks` (in the bundle's order) and
    /// `measuresRate`: the request's id and its results, or an `EvaluatorError` naming the request.
    /// Pure (no process): the fuzzing target `fuzz-evaluator-reply` calls it directly.
    static func parseReply(_ line: [UInt8], command: String, tasks: [String], measuresRate: Bool, outstanding: [Int: Int],
                           batches: [[[Int]]], split: Split) throws(EvaluatorError) -> (Int, [Result]) {
        func fail(_ request: String, _ problem: String) -> EvaluatorError {
            EvaluatorError(command: command, request: request, problem: problem)
        }
        let some = outstanding.keys.sorted().map { describe(id: $0, batch: batches[outstanding[$0]!], split: split) }.joined(separator: ", ")
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            let text = String(decoding: line.prefix(4096), as: UTF8.self)
            let hint = text.contains("NaN") || text.contains("Infinity") ? " (NaN and Infinity are not JSON: a metric must be a finite number)" : ""
            throw fail(some, "the reply is not a JSON object\(hint): \(Self.excerpt(line))")
        }
        guard let type = object["type"] as? String else { throw fail(some, "a reply without \"type\": \(Self.excerpt(line))") }
        guard let idValue = object["id"] as? NSNumber, let id = Int(exactly: idValue.doubleValue) else {
            if type == "error" { throw fail(some, "the evaluator replied error: \(object["message"] as? String ?? "(no message)")") }
            throw fail(some, "a \(type) reply without a numeric \"id\"")
        }
        guard let place = outstanding[id] else {
            throw fail(some, "a reply with id \(id), which is not an outstanding request (outstanding: \(outstanding.keys.sorted().map(String.init).joined(separator: ", ")))")
        }
        let batch = batches[place]
        let request = describe(id: id, batch: batch, split: split)
        switch type {
        case "scores": break
        case "error": throw fail(request, "the evaluator replied error: \(object["message"] as? String ?? "(no message)")")
        default: throw fail(request, "unknown reply type \"\(type)\" (expected scores or error)")
        }
        guard let list = object["results"] as? [Any] else { throw fail(request, "the reply has no \"results\" list") }
        guard list.count == batch.count else { throw fail(request, "\(list.count) results for \(batch.count) allocations") }
        var results: [Result] = []
        results.reserveCapacity(list.count)
        for (k, item) in list.enumerated() {
            guard let entry = item as? [String: Any], let metrics = entry["metrics"] as? [String: Any] else {
                throw fail(request, "results[\(k)] has no \"metrics\" object")
            }
            var values: [Double] = []
            for task in tasks {
                guard let raw = metrics[task] else { throw fail(request, "results[\(k)]: task \(task) is missing") }
                guard let value = Self.finiteNumber(raw) else { throw fail(request, "results[\(k)]: task \(task): \(raw) is not a finite number") }
                values.append(value)
            }
            if let unknown = metrics.keys.first(where: { name in !tasks.contains(name) }) {
                throw fail(request, "results[\(k)]: unknown task \(unknown)")
            }
            var coded: Double?
            if measuresRate {
                guard let value = Self.finiteNumber(entry["bitsPerSample"]), value >= 0 else {
                    throw fail(request, "results[\(k)]: bitsPerSample must be a finite number ≥ 0 (ready said measuresRate)")
                }
                coded = value
            }
            results.append(Result(metrics: values, codedBitsPerSample: coded))
        }
        return (id, results)
    }

    private static func describe(id: Int, batch: [[Int]], split: Split) -> String {
        "request \(id) (\(batch.count) allocation\(batch.count == 1 ? "" : "s") on \(split.rawValue))"
    }

    static func finiteNumber(_ value: Any?) -> Double? {
        guard let n = value as? NSNumber else { return nil }
        let v = n.doubleValue
        return v.isFinite ? v : nil
    }

    static func excerpt(_ line: [UInt8]) -> String {
        let text = String(decoding: line.prefix(120), as: UTF8.self)
        return "'" + text + (line.count > 120 ? "…'" : "'")
    }

    // MARK: - Pipes

    /// Writes `bytes` to the child's stdin, reading its stdout meanwhile (a child blocked on a
    /// full stdout pipe would never read its stdin).
    private func writeAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant?, request: String) throws(EvaluatorError) {
        var offset = 0
        while offset < bytes.count {
            var fds = [pollfd(fd: process.input, events: Int16(POLLOUT), revents: 0), pollfd(fd: process.output, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, pollTimeout(deadline))
            if r < 0 {
                if errno == EINTR { continue }
                throw failure(request, "poll failed: \(String(cString: strerror(errno)))")
            }
            if r == 0, let deadline, ContinuousClock.now >= deadline { throw timedOut(request) }
            if fds[1].revents != 0 { try drainOutput(request: request, waitingFor: "while it was sent a request") }
            if fds[0].revents & Int16(POLLERR | POLLHUP) != 0 { throw exited(request, while: "while it was sent a request") }
            if fds[0].revents & Int16(POLLOUT) != 0 {
                let n = bytes.withUnsafeBytes { write(process.input, $0.baseAddress! + offset, $0.count - offset) }
                if n > 0 { offset += n } else if n < 0 && errno != EAGAIN && errno != EINTR {
                    if errno == EPIPE { throw exited(request, while: "while it was sent a request") }
                    throw failure(request, "cannot write to it: \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    /// The next line of the child's stdout.
    private func readLine(deadline: ContinuousClock.Instant?, request: String, waitingFor: String) throws(EvaluatorError) -> [UInt8] {
        var searched = 0
        while true {
            if let newline = received[searched...].firstIndex(of: 10) {
                let line = Array(received[..<newline])
                received.removeSubrange(...newline)
                return line
            }
            searched = received.count
            guard received.count <= Self.longestLine else { throw failure(request, "a line longer than 256 MiB") }
            var fds = [pollfd(fd: process.output, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 1, pollTimeout(deadline))
            if r < 0 {
                if errno == EINTR { continue }
                throw failure(request, "poll failed: \(String(cString: strerror(errno)))")
            }
            if r == 0 {
                if let deadline, ContinuousClock.now >= deadline { throw timedOut(request) }
                continue
            }
            try drainOutput(request: request, waitingFor: waitingFor)
        }
    }

    /// Reads what the child wrote; EOF means it exited.
    private func drainOutput(request: String, waitingFor: String) throws(EvaluatorError) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(process.output, $0.baseAddress, $0.count) }
            if n > 0 {
                received += buffer[0..<n]
                if n < buffer.count { return }
            } else if n == 0 {
                throw exited(request, while: waitingFor)
            } else {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                throw failure(request, "cannot read its output: \(String(cString: strerror(errno)))")
            }
        }
    }

    private func pollTimeout(_ deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return 1000 }
        let left = (deadline - ContinuousClock.now).seconds
        return Int32(Swift.max(0, Swift.min(1000, (left * 1000).rounded(.up))))
    }

    private func failure(_ request: String, _ problem: String) -> EvaluatorError {
        EvaluatorError(command: command, request: request, problem: problem, recentErrorLines: process.recentErrorLines)
    }

    private func timedOut(_ request: String) -> EvaluatorError {
        let seconds = timeout.map { "\($0 == $0.rounded() ? String(Int($0)) : String($0)) s" } ?? "the time limit"
        return failure(request, "no reply within \(seconds) (--evaluator-timeout)")
    }

    private func exited(_ request: String, while what: String) -> EvaluatorError {
        let status = process.waitForExit(seconds: 2)
        stopped = true
        let how = status.map(ChildProcess.describe(status:)) ?? "closed its output"
        // Give the stderr relay a moment to pass the last lines on.
        usleep(50_000)
        return failure(request, "it \(how) \(what)")
    }

    /// After a failed handshake: stop the child and return its last stderr lines.
    private func settleAndCollectErrors() -> [String] {
        stop()
        usleep(50_000)
        return process.recentErrorLines
    }
}

/// The evaluators running now, so a SIGINT can stop them all before MIPareto exits.
final class LiveSessions: @unchecked Sendable {
    private let lock = NSLock()
    private var processes: [ObjectIdentifier: ChildProcess] = [:]

    func add(_ p: ChildProcess) { lock.lock(); processes[ObjectIdentifier(p)] = p; lock.unlock() }
    func remove(_ p: ChildProcess) { lock.lock(); processes[ObjectIdentifier(p)] = nil; lock.unlock() }

    func terminateAll() {
        lock.lock()
        let all = Array(processes.values)
        processes.removeAll()
        lock.unlock()
        for p in all { p.terminate(grace: 10, termGrace: 5) }
    }
}
