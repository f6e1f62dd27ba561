import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The evaluator pool on a real local Ray, end to end through `mipareto front`: the same files
/// with 1 process, 1 actor and 2 actors; an actor killed in the middle of a run; the actors'
/// errors as MIPareto's errors. One Ray cluster (2 CPUs) serves the whole suite; every evaluator
/// joins it with `--ray-address`, so the test can reach the actors by name. Skipped when
/// `python3 -c "import ray, numpy"` fails.
@Suite("command line: evaluator pool on Ray", .serialized, .enabled(if: RayCluster.available), RayCluster.Scope())
struct RayPoolTests {
    static let evaluators = CLI.repository.appendingPathComponent("examples/evaluators")
    static let scripted = CLI.repository.appendingPathComponent("examples/tests/scripted_evaluator.py")
    static let numpyHeads = "python3 \(evaluators.appendingPathComponent("numpy_heads.py").path)"

    /// A front with every kind of batch: ILP and uniform allocations scored on report (several
    /// requests), NSGA-II generations on search (one request each).
    static let front = ["front", CLI.mini.path, "--methods", "ilp-mi,uniform,nsga2", "--budgets", "1,2,3", "--max-bits", "6",
                        "--population", "8", "--generations", "4", "--seed-from-ilp"]

    static func pooled(_ actors: Int, _ cluster: RayCluster, namespace: String) -> String {
        "\(numpyHeads) --actors \(actors) --ray-address \(cluster.address) --ray-namespace \(namespace)"
    }

    static func folder(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-ray-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func namespace(_ name: String) -> String { "mipareto-swift-\(name)-\(UUID().uuidString.prefix(8))" }

    @Test("same front.csv and summary.json, bit for bit, in 1 process, on 1 actor and on 2 actors (2 batches in flight)")
    func sameFront() throws {
        let cluster = try #require(RayCluster.current)
        let root = try Self.folder("same")
        defer { try? FileManager.default.removeItem(at: root) }
        let local = try CLI.run(Self.front + ["--evaluator", Self.numpyHeads, "-o", root.appendingPathComponent("local").path])
        #expect(local.status == 0, "\(local.stderr)")
        let one = try CLI.run(Self.front + ["--evaluator", Self.pooled(1, cluster, namespace: Self.namespace("one")),
                                            "-o", root.appendingPathComponent("one").path])
        #expect(one.status == 0, "\(one.stderr)")
        let two = try CLI.run(Self.front + ["--evaluator", Self.pooled(2, cluster, namespace: Self.namespace("two")),
                                            "--evaluator-inflight", "2", "--evaluator-batch", "8", "-o", root.appendingPathComponent("two").path])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(two.stderr.contains("2 Ray actor(s) evaluator-0, evaluator-1"), "\(two.stderr)")
        let expected = try EvaluatorTests.files(root.appendingPathComponent("local"))
        #expect(try EvaluatorTests.files(root.appendingPathComponent("one")) == expected)
        #expect(try EvaluatorTests.files(root.appendingPathComponent("two")) == expected)
        // The pooled runs did ask the evaluator (not a cache): as many allocations as in-process.
        #expect(EvaluatorTests.answered(local.stdout) != nil && EvaluatorTests.answered(two.stdout) == EvaluatorTests.answered(local.stdout),
                "\(local.stdout) vs \(two.stdout)")
    }

    /// `ray.kill` of actor 0 once NSGA-II has scored two generations: Ray restarts it and retries
    /// its share; the run goes on to the end and writes the files of an undisturbed run.
    @Test("an actor killed in the middle of a run: the run completes with the undisturbed run's files")
    func killedActor() throws {
        let cluster = try #require(RayCluster.current)
        let binary = try #require(CLI.binary)
        let root = try Self.folder("kill")
        defer { try? FileManager.default.removeItem(at: root) }
        let undisturbed = try CLI.run(Self.front + ["--evaluator", Self.numpyHeads, "-o", root.appendingPathComponent("undisturbed").path])
        #expect(undisturbed.status == 0, "\(undisturbed.stderr)")

        let namespace = Self.namespace("kill")
        let checkpoint = root.appendingPathComponent("ck")
        let scores = checkpoint.appendingPathComponent("scores-search.jsonl")
        let run = Process()
        run.executableURL = binary
        run.arguments = Self.front + ["--evaluator", Self.pooled(2, cluster, namespace: namespace), "--checkpoint", checkpoint.path,
                                      "-o", root.appendingPathComponent("disturbed").path]
        let errors = root.appendingPathComponent("stderr.txt")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        run.standardOutput = FileHandle.nullDevice
        run.standardError = try FileHandle(forWritingTo: errors)
        try run.run()
        // The killer joins the cluster, waits for two generations in the checkpoint, kills actor 0
        // (Ray may restart it) and prints how many generations were saved at that moment.
        let killer = try RayCluster.python(["-c", RayCluster.killAfterGenerations, cluster.address, namespace, "evaluator-0", scores.path, "2"])
        run.waitUntilExit()
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        #expect(killer.status == 0, "\(killer.stderr)")
        let killedAt = try #require(Int(killer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(killer.stdout) \(killer.stderr)")
        #expect(run.terminationStatus == 0, "\(stderr)")
        let generations = ((try? String(contentsOf: scores, encoding: .utf8)) ?? "").split(separator: "\n").count
        // Generations scored after the kill: the kill was in the middle of the run, not after it.
        #expect(generations > killedAt, "killed after \(killedAt) generations of \(generations): make the run longer")
        #expect(try EvaluatorTests.files(root.appendingPathComponent("disturbed")) == EvaluatorTests.files(root.appendingPathComponent("undisturbed")))
    }

    /// An exception in the evaluator inside an actor, and an actor that cannot set up: MIPareto
    /// stops with `error: evaluator …` carrying the actor's own message, and writes nothing.
    @Test("the actors' errors reach MIPareto as error replies with the actor's message")
    func actorErrors() throws {
        let cluster = try #require(RayCluster.current)
        let root = try Self.folder("errors")
        defer { try? FileManager.default.removeItem(at: root) }
        // scripted_evaluator raises for a share whose first allocation has 6 bits in channel 0. Uniform
        // 0…7 bits in requests of 4 on 2 actors: request 2 is cut into 4, 5 (actor 0) and 6, 7 (actor 1).
        let command = "python3 \(Self.scripted.path) class --actors 2 --ray-address \(cluster.address) --ray-namespace \(Self.namespace("errors"))"
        let failing = try CLI.run(["front", CLI.mini.path, "--methods", "uniform", "--max-bits", "7", "--evaluator", command, "--evaluator-batch", "4",
                                   "-o", root.appendingPathComponent("out").path])
        #expect(failing.status == 1, "\(failing.stderr)")
        #expect(failing.stderr.contains("error: evaluator `\(command)`: request 2 (4 allocations on report): the evaluator replied error: actor 1: RuntimeError: scripted failure for an allocation starting with 6"),
                "\(failing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out").path))

        // A copy of digits-pair-mini without heads: numpy_heads' set-up fails in the actor, the start is refused.
        let headless = root.appendingPathComponent("headless")
        try FileManager.default.copyItem(at: CLI.mini, to: headless)
        let manifest = headless.appendingPathComponent("bundle.json")
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any])
        document["tasks"] = (document["tasks"] as? [[String: Any]])?.map { task in task.filter { $0.key != "head" } }
        try JSONSerialization.data(withJSONObject: document).write(to: manifest)
        let setup = "\(Self.numpyHeads) --actors 1 --ray-address \(cluster.address) --ray-namespace \(Self.namespace("setup"))"
        let refused = try CLI.run(["front", headless.path, "--methods", "uniform", "--max-bits", "2", "--evaluator", setup, "-o", root.appendingPathComponent("front").path])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("start: it could not start: cannot start: actor 0: ValueError: task(s) left, right, sum_ge_10, recon of \(headless.path) have no head"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("front").path))
    }
}

/// One local Ray cluster for a suite: a Python driver started with `ray.init(num_cpus=2)` that
/// prints the cluster's address and shuts it down when its stdin closes (the suite ends, or the
/// test process dies), so nothing outlives the tests and no broad `ray stop` is needed.
final class RayCluster: @unchecked Sendable {
    let address: String
    private let process: Process
    private let input: Pipe

    @TaskLocal static var current: RayCluster?

    static let available: Bool = {
        (try? CLI.shell("python3 -c 'import ray, numpy' >/dev/null 2>&1 && echo yes").hasPrefix("yes")) ?? false
    }()

    /// The driver: the address on stdout, then alive until EOF on stdin (at most 30 minutes).
    static let driver = """
    import sys, threading, ray
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning")
    print(ray.get_runtime_context().gcs_address, flush=True)
    reader = threading.Thread(target=sys.stdin.read, daemon=True)
    reader.start()
    reader.join(1800)
    ray.shutdown()
    """

    /// argv: address namespace actor file n — kills the named actor (restartable) once `file` has
    /// n lines, prints the lines it had then.
    static let killAfterGenerations = """
    import os, sys, time, ray
    address, namespace, name, path, n = sys.argv[1:]
    ray.init(address=address, namespace=namespace, logging_level="warning")
    deadline = time.time() + 300
    def lines():
        try:
            with open(path) as fh:
                return sum(1 for line in fh if line.strip())
        except FileNotFoundError:
            return 0
    while lines() < int(n):
        if time.time() > deadline:
            sys.exit(f"{path} never got {n} lines")
        time.sleep(0.01)
    ray.kill(ray.get_actor(name, namespace=namespace), no_restart=False)
    print(lines(), flush=True)
    """

    private init(address: String, process: Process, input: Pipe) {
        self.address = address
        self.process = process
        self.input = input
    }

    static func start() throws -> RayCluster {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", driver]
        // Ray's token authentication is for clusters others can reach; evaluators started by
        // MIPareto are not children of this driver and would not get its token.
        process.environment = ProcessInfo.processInfo.environment.merging(["RAY_AUTH_MODE": "disabled"]) { $1 }
        let input = Pipe(), output = Pipe()
        // Only this test process may hold the write end: its exit is the driver's EOF.
        _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let reader = output.fileHandleForReading
        while !text.contains("\n") {
            let data = reader.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        let address = text.split(separator: "\n").first.map(String.init) ?? ""
        guard address.contains(":") else {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            throw RayClusterError(message: "the Ray driver printed no address (status \(process.terminationStatus)): \(text)")
        }
        return RayCluster(address: address, process: process, input: input)
    }

    /// `python3 arguments…`, both outputs read.
    static func python(_ arguments: [String]) throws -> CLI.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = ErrorCollector(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: errors.text())
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Starts the cluster before the suite's first test and stops it after the last one.
    struct Scope: SuiteTrait, TestScoping {
        var isRecursive: Bool { false }

        func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
            let cluster = try RayCluster.start()
            defer { cluster.stop() }
            try await RayCluster.$current.withValue(cluster) { try await function() }
        }
    }
}

/// Reads a pipe to its end on another thread (so neither pipe of a child fills while the other is read).
final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

struct RayClusterError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
