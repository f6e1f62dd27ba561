import Foundation
import Testing

/// The external evaluator protocol end to end: MIPareto against the scripted evaluators of
/// `examples/evaluators` (each fault of the protocol), the NumPy reference evaluator against
/// MIPareto's own heads, and resuming a front after the evaluator died.
@Suite("command line: external evaluator", .serialized)
struct EvaluatorTests {
    static let evaluators = CLI.repository.appendingPathComponent("examples/evaluators")
    static let python: String? = {
        // The scripted evaluators need Python 3 with NumPy (the module's only dependency).
        guard let r = try? CLI.run(["evaluate", CLI.mini.path, "--bits", "1", "--evaluator", "python3 -c \"import numpy\"", "--evaluator-timeout", "30"]) else { return nil }
        // `python3 -c "import numpy"` exits before ready: a start error, but only if python3 ran.
        return r.stderr.contains("exited with status 0") ? "python3" : nil
    }()

    static func faulty(_ fault: String, after: Int = 0) -> String {
        "python3 \(evaluators.appendingPathComponent("faulty.py").path) --fault \(fault) --after \(after)"
    }
    static let reference = "python3 \(evaluators.appendingPathComponent("numpy_heads.py").path)"

    static func sentinelFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-evaluator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: dir.appendingPathComponent("sentinel.txt"))
        return dir
    }

    /// Each fault of the protocol: `error: evaluator …` naming the request and what was wrong,
    /// the exit status, and nothing written into -o DIR.
    @Test(arguments: [
        ("exit-before-ready", 1, "start: it exited with status 3 before its ready line"),
        ("start-error", 1, "start: it could not start: cannot load model.pt"),
        ("garbage-before-ready", 1, "start: before ready it wrote something that is not a JSON object: 'Loading model... done'"),
        ("wrong-protocol", 2, "ready speaks protocol mipareto-evaluator/2"),
        ("ready-missing-task", 2, "ready does not list task recon"),
        ("ready-no-eval", 2, "does not serve split eval (it serves report, search)"),
        ("exit-mid-run", 1, "it exited with status 4 before replying"),
        ("killed-mid-run", 1, "it was killed by signal 9 (SIGKILL) before replying"),
        ("malformed-json", 1, "the reply is not a JSON object"),
        ("wrong-id", 1, "a reply with id 1001, which is not an outstanding request"),
        ("wrong-count", 1, "results for"),
        ("unknown-task", 1, "results[0]: unknown task no-such-task"),
        ("missing-task", 1, "results[0]: task recon is missing"),
        ("nan-metric", 1, "NaN and Infinity are not JSON"),
        ("inf-metric", 1, "NaN and Infinity are not JSON"),
        ("error-reply", 1, "the evaluator replied error: CUDA out of memory on device 1"),
    ])
    func faults(fault: String, status: Int32, message: String) throws {
        guard Self.python != nil else { print("skipping: python3 with numpy not found"); return }
        let dir = try Self.sentinelFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // `ready-no-eval` serves search and report only: `weights` scores on eval by default.
        let command = fault == "ready-no-eval" ? ["weights", CLI.mini.path, "--budget", "1", "--measures", "l1"] : ["front", CLI.mini.path, "--methods", "uniform", "--max-bits", "2"]
        let r = try CLI.run(command + ["--evaluator", Self.faulty(fault), "-o", dir.path])
        #expect(r.status == status, "\(fault): \(r.stderr)")
        #expect(r.stderr.contains("error: evaluator `\(Self.faulty(fault))`: "), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(fault): \(r.stderr)")
        if !["wrong-protocol", "ready-missing-task", "ready-no-eval", "garbage-before-ready"].contains(fault) {
            // Its own stderr is passed through, and repeated with the error.
            #expect(r.stderr.contains("evaluator: faulty: "), "\(r.stderr)")
        }
        if status == 1, fault != "start-error", !fault.hasSuffix("ready") {
            #expect(r.stderr.contains("request 1 (3 allocations on report)"), "\(r.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["sentinel.txt"])
        #expect(r.stdout.isEmpty)
    }

    @Test("not found, not executable, bad quoting: exit 2 before anything runs")
    func cannotStart() throws {
        let cases = [("no-such-evaluator-program --x", "no-such-evaluator-program: not found in PATH"),
                     ("/etc/passwd", "/etc/passwd: not executable"),
                     ("python3 'unterminated", "unterminated ' quote")]
        for (command, message) in cases {
            let r = try CLI.run(["evaluate", CLI.mini.path, "--bits", "2", "--evaluator", command])
            #expect(r.status == 2 && r.stderr.hasPrefix("error: evaluator `\(command)`: ") && r.stderr.contains(message), "\(r.stderr)")
        }
    }

    @Test("a batch past --evaluator-timeout is an error naming the limit; the evaluator is stopped")
    func timeout() throws {
        guard Self.python != nil else { return }
        let start = Date()
        let r = try CLI.run(["evaluate", CLI.mini.path, "--bits", "2", "--evaluator", Self.faulty("hang"), "--evaluator-timeout", "1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("request 1 (1 allocation on eval): no reply within 1 s (--evaluator-timeout)"), "\(r.stderr)")
        // 1 s, then EOF and 10 s of grace before SIGTERM ends the hanging script.
        #expect(Date().timeIntervalSince(start) < 30)
        let ready = try CLI.run(["evaluate", CLI.mini.path, "--bits", "2", "--evaluator", Self.faulty("hang-before-ready"), "--evaluator-timeout", "1"])
        #expect(ready.status == 1 && ready.stderr.contains("start: no reply within 1 s"), "\(ready.stderr)")
    }

    /// The reference evaluator runs the bundle's heads in float64 NumPy: its metrics are MIPareto's
    /// own, accuracy exactly and PSNR to 1e-6 dB, on every split and on mixed allocations.
    @Test("NumPy reference evaluator = the bundle's own heads (evaluate, every split)")
    func referenceEqualsHeads() throws {
        guard Self.python != nil else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-alloc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let mixed = folder.appendingPathComponent("mixed.json")
        try Data("{\"bits\": [\((0..<32).map { String(($0 * 7) % 9) }.joined(separator: ","))]}".utf8).write(to: mixed)
        for (split, allocation) in [("eval", ["--bits", "3"]), ("report", ["--bits", "1"]), ("search", ["--allocation", mixed.path]), ("fit", ["--bits", "8"])] {
            let heads = try CLI.run(["evaluate", CLI.mini.path, "--split", split, "--json"] + allocation)
            let other = try CLI.run(["evaluate", CLI.mini.path, "--split", split, "--json", "--evaluator", Self.reference] + allocation)
            #expect(heads.status == 0 && other.status == 0, "\(other.stderr)")
            let a = try #require(heads.json?["metrics"] as? [String: Double]), b = try #require(other.json?["metrics"] as? [String: Double])
            for task in ["left", "right", "sum_ge_10"] { #expect(a[task] == b[task], "\(split) \(task)") }
            #expect(abs(a["recon"]! - b["recon"]!) < 1e-6, "\(split) recon \(a["recon"]!) vs \(b["recon"]!)")
        }
    }

    static func files(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in ["front.csv", "summary.json"] { out[name] = try Data(contentsOf: dir.appendingPathComponent(name)) }
        return out
    }

    static func answered(_ text: String) -> Int? {
        guard let range = text.range(of: "evaluator: ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// The evaluator dies in the middle of NSGA-II; the same command with `--resume` and a working
    /// evaluator finishes with files identical to an uninterrupted run, and asks the evaluator only
    /// for what the first run had not got answered.
    @Test("--resume after the evaluator died: same files, nothing asked twice", arguments: ["exit-mid-run", "killed-mid-run"])
    func resumeAfterEvaluatorDied(fault: String) throws {
        guard Self.python != nil else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let common = ["front", CLI.mini.path, "--methods", "ilp-l1,uniform,nsga2", "--budgets", "1,2", "--population", "8", "--generations", "4", "--seed-from-ilp"]
        let working = Self.faulty("exit-mid-run", after: 1_000_000)
        let whole = try CLI.run(common + ["--evaluator", working, "--checkpoint", root.appendingPathComponent("ck-whole").path, "-o", root.appendingPathComponent("whole").path])
        #expect(whole.status == 0, "\(whole.stderr)")
        let total = try #require(Self.answered(whole.stdout), "\(whole.stdout)")

        let ck = root.appendingPathComponent("ck").path
        let first = try CLI.run(common + ["--evaluator", Self.faulty(fault, after: 2), "--checkpoint", ck, "-o", root.appendingPathComponent("out").path])
        #expect(first.status == 1 && first.stderr.contains("error: evaluator"), "\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out").path))
        let saved = try String(contentsOf: URL(fileURLWithPath: ck).appendingPathComponent("scores-search.jsonl"), encoding: .utf8)
        let savedAllocations = saved.split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["bits"] as? [Any]
        }.reduce(0) { $0 + ($1?.count ?? 0) }
        let savedReport = (try? String(contentsOf: URL(fileURLWithPath: ck).appendingPathComponent("scores-report.jsonl"), encoding: .utf8)) ?? ""
        #expect(savedReport.isEmpty, "report scoring comes after the search")

        let second = try CLI.run(common + ["--evaluator", working, "--resume", ck, "-o", root.appendingPathComponent("out").path])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Self.files(root.appendingPathComponent("out")) == Self.files(root.appendingPathComponent("whole")))
        let resumed = try #require(Self.answered(second.stdout), "\(second.stdout)")
        #expect(savedAllocations > 0)
        #expect(resumed + savedAllocations == total, "resumed \(resumed) + saved \(savedAllocations) vs \(total)")
    }

    /// Independent batches in flight: replies come back in another order, the files do not change.
    @Test("--evaluator-inflight 3 with small batches gives the files of one batch at a time")
    func inflight() throws {
        guard Self.python != nil else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-inflight-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let common = ["front", CLI.mini.path, "--methods", "ilp-mi,ilp-variance,uniform", "--budgets", "0.5:0.5:4", "--evaluator", Self.reference]
        let one = try CLI.run(common + ["-o", root.appendingPathComponent("one").path])
        let three = try CLI.run(common + ["--evaluator-inflight", "3", "--evaluator-batch", "4", "-o", root.appendingPathComponent("three").path])
        #expect(one.status == 0 && three.status == 0, "\(three.stderr)")
        #expect(try Self.files(root.appendingPathComponent("one")) == Self.files(root.appendingPathComponent("three")))
        #expect(three.stdout.contains("requests"), "\(three.stdout)")
    }

    /// SIGINT while the evaluator works: MIPareto stops the evaluator in order, exits 130 and
    /// keeps its checkpoint; `--resume` then writes the files of an uninterrupted run.
    @Test("SIGINT stops the evaluator and keeps the checkpoint; --resume finishes the same run")
    func interrupt() throws {
        guard Self.python != nil, let binary = CLI.binary else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-sigint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let marker = "sigint-\(UUID().uuidString.prefix(8))"
        let busy = "python3 -X \(marker) \(Self.evaluators.appendingPathComponent("busy.py").path) --ms 5"
        let common = ["front", CLI.mini.path, "--methods", "ilp-l1,nsga2", "--budgets", "1,2", "--population", "16", "--generations", "12", "--evaluator", busy]
        let ck = root.appendingPathComponent("ck")
        let process = Process()
        process.executableURL = binary
        process.arguments = common + ["--checkpoint", ck.path, "-o", root.appendingPathComponent("out").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let scores = ck.appendingPathComponent("scores-search.jsonl")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? String(contentsOf: scores, encoding: .utf8))?.split(separator: "\n").count ?? 0) < 2 { usleep(50_000) }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(FileManager.default.fileExists(atPath: ck.appendingPathComponent("run.json").path))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out").path))
        // The evaluator is gone (it was stopped, not orphaned).
        let left = try CLI.shell("pgrep -f '[s]\(marker.dropFirst())' || true")  // [s]…: not the shell running pgrep
        #expect(left.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "left running: \(left)")
        let resumed = try CLI.run(common + ["--resume", ck.path, "-o", root.appendingPathComponent("out").path])
        let whole = try CLI.run(common + ["-o", root.appendingPathComponent("whole").path])
        #expect(resumed.status == 0 && whole.status == 0, "\(resumed.stderr)")
        #expect(try Self.files(root.appendingPathComponent("out")) == Self.files(root.appendingPathComponent("whole")))
    }
}
