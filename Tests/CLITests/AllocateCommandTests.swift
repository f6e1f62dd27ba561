import Foundation
import Testing

/// `mipareto allocate`, run as a user would.
@Suite("command line: allocate")
struct AllocateCommandTests {
    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-\(name)-\(UUID().uuidString).json")
    }

    /// The metrics `allocate` prints equal those of `evaluate --allocation` on the file it wrote
    /// (a second process, a second code path that reads the file): accuracy and mIoU to 1e-9,
    /// PSNR to 1e-6 dB.
    @Test(arguments: [["--measure", "variance"], ["--measure", "equal", "--solver", "glpk"],
                      ["--measure", "l1", "--weights", "left=2,recon=1"], ["--measure", "variance", "--epsilon", "left=0.05,right=0.05"]])
    func metricsEqualEvaluateOfTheWrittenFile(options: [String]) throws {
        let file = Self.temporaryFile("alloc")
        defer { try? FileManager.default.removeItem(at: file) }
        let budget = options.contains("--epsilon") ? [] : ["--budget", "2"]
        let allocate = try CLI.run(["allocate", CLI.mini.path] + budget + options + ["-o", file.path, "--json"])
        #expect(allocate.status == 0, "\(allocate.stderr)")
        let document = try CLI.json(allocate.stdout)
        let written = try CLI.json(String(decoding: try Data(contentsOf: file), as: UTF8.self))
        let bits = try #require(document["bits"] as? [Int])
        #expect(written["bits"] as? [Int] == bits)
        #expect(bits.count == 32 && bits.allSatisfy { (0...8).contains($0) })
        for key in ["bits", "rate", "objective", "solver", "metrics", "measure"] { #expect(document[key] != nil, "missing \(key)") }
        let solver = try #require(document["solver"] as? [String: Any])
        for key in ["name", "status", "optimal", "seconds"] { #expect(solver[key] != nil, "missing solver.\(key)") }
        let rate = try #require(document["rate"] as? [String: Double])
        #expect(rate["bitsPerSample"] == Double(bits.reduce(0, +) * 32))
        if budget.isEmpty {
            let distortion = try #require(document["distortion"] as? [String: Double])
            #expect(try #require(distortion["left"]) <= 0.05 * (1 + 1e-9))
            #expect(try #require(distortion["right"]) <= 0.05 * (1 + 1e-9))
        } else {
            #expect(try #require(rate["bpe"]) <= 2)
        }

        let evaluate = try CLI.run(["evaluate", CLI.mini.path, "--allocation", file.path, "--json"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let evaluated = try CLI.json(evaluate.stdout)
        let expected = try #require(evaluated["metrics"] as? [String: Double])
        let metrics = try #require(document["metrics"] as? [String: Double])
        #expect(Set(metrics.keys) == ["left", "right", "sum_ge_10", "recon"])
        for (task, value) in expected {
            let tolerance = task == "recon" ? 1e-6 : 1e-9
            #expect(abs(try #require(metrics[task]) - value) <= tolerance, "\(task): allocate \(metrics[task] ?? .nan) vs evaluate \(value)")
        }
        #expect((evaluated["rate"] as? [String: Double])?["bpe"] == rate["bpe"])
    }

    @Test("readable output names the solver, the rate and every task")
    func textOutput() throws {
        let result = try CLI.run(["allocate", CLI.mini.path, "--budget", "1.5", "--measure", "variance"])
        #expect(result.status == 0, "\(result.stderr)")
        for text in ["variance importance", "budget 1.5 bits per element", "exact, optimal", "sum_ge_10", "recon", "psnr"] {
            #expect(result.stdout.contains(text), "missing \(text) in \(result.stdout)")
        }
    }

    @Test("an infeasible ε form exits 3, names the task, and prints status infeasible")
    func infeasibleEpsilon() throws {
        let file = Self.temporaryFile("never")
        let result = try CLI.run(["allocate", CLI.mini.path, "--measure", "variance", "--epsilon", "left=0.5,recon=1e-9", "-o", file.path, "--json"])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("error: --epsilon recon=1e-09: infeasible: "), "\(result.stderr)")
        let document = try CLI.json(result.stdout)
        #expect(document["status"] as? String == "infeasible")
        #expect(document["task"] as? String == "recon")
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test("bad input: error: and exit 2, nothing written", arguments: [
        (["--budget", "-1", "--measure", "equal"], "--budget -1"),
        (["--budget", "9", "--measure", "equal"], "above --max-bits 8"),
        (["--budget", "3", "--max-bits", "2", "--measure", "equal"], "above --max-bits 2"),
        (["--measure", "equal"], "--budget BPE is required"),
        (["--budget", "2", "--measure", "loudness"], "The value 'loudness' is invalid for '--measure <measure>'"),
        (["--budget", "2", "--measure", "equal", "--weights", "left=1,middle=2"], "--weights: unknown task \"middle\""),
        (["--budget", "2", "--measure", "equal", "--weights", "left=-1,right=2"], "weights must not be negative"),
        (["--budget", "2", "--measure", "equal", "--weights", "left"], "is not task=value"),
        (["--measure", "equal", "--epsilon", "middle=0.1"], "--epsilon: unknown task \"middle\""),
        (["--measure", "equal", "--epsilon", "left=0.1", "--solver", "exact"], "needs --solver glpk"),
        (["--budget", "2", "--measure", "equal", "--solver", "simplex"], "The value 'simplex' is invalid for '--solver <solver>'. Please provide one of 'exact' and 'glpk'"),
        (["--budget", "2", "--measure", "equal", "-o", "/nonexistent/folder/alloc.json"], "-o /nonexistent/folder/alloc.json"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try CLI.run(["allocate", CLI.mini.path] + arguments)
        #expect(result.status == 2, "exit \(result.status) for \(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("an -o path that cannot be written is an error and leaves no file")
    func unwritableOutput() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-ro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A directory where the file should go.
        let result = try CLI.run(["allocate", CLI.mini.path, "--budget", "2", "--measure", "equal", "-o", folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: -o \(folder.path): is a directory"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("a bundle that is not there")
    func missingBundle() throws {
        let result = try CLI.run(["allocate", "/nonexistent/bundle", "--budget", "2", "--measure", "equal"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: /nonexistent/bundle: no such bundle directory"))
    }
}
