import Foundation
import Testing

/// `front --resume` reads a checkpoint folder someone else may have edited: every field of a
/// points file and of an NSGA-II state is checked against the run it belongs to; a bad one is
/// `error: FILE: field: what`, exit 2, and DIR untouched (found by hand and by mutation: before,
/// depths of 9 or rows of 31 entries crashed or went into front.csv, x = 1e9 or a generation past
/// the run's was accepted).
@Suite("command line: front --resume trusts nothing in the checkpoint", .serialized)
struct CheckpointTrustTests {
    static let run = ["--methods", "uniform,ilp-l1,nsga2", "--budgets", "1:1:3", "--population", "4", "--generations", "2", "--seeds", "1", "--quiet"]

    /// A finished checkpoint of `run`, made once; each test edits a copy.
    static let pristine: URL? = {
        let ck = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-trust-\(UUID().uuidString)")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-trust-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        guard let result = try? CLI.run(["front", CLI.mini.path] + run + ["--checkpoint", ck.path, "-o", out.path]), result.status == 0 else { return nil }
        return ck
    }()

    /// A copy of the checkpoint with `file` edited by `edit` (its JSON object); nil `edit` removes it.
    static func copy(editing file: String, removing removed: [String] = [], _ edit: ((inout [String: Any]) -> Void)?) throws -> URL {
        let source = try #require(pristine, "could not make the checkpoint")
        let ck = FrontCommandTests.temporaryFolder("trust-ck")
        try FileManager.default.copyItem(at: source, to: ck)
        for name in removed { try FileManager.default.removeItem(at: ck.appendingPathComponent(name)) }
        let url = ck.appendingPathComponent(file)
        if let edit {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            edit(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: url)
        }
        return ck
    }

    static func expectRefused(_ ck: URL, file: String, message: String) throws {
        let dir = try FrontCommandTests.sentinelFolder()
        defer { for u in [dir, ck] { try? FileManager.default.removeItem(at: u) } }
        let result = try CLI.run(["front", CLI.mini.path] + run + ["--resume", ck.path, "-o", dir.path])
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
        let prefix = "error: \(ck.appendingPathComponent(file).path): "
        #expect(result.stderr.hasPrefix(prefix + message), "\(result.stderr)")
        #expect(!result.stderr.dropFirst(prefix.count).contains(ck.path), "the file is named once: \(result.stderr)")
        try FrontCommandTests.expectUntouched(dir)
    }

    static func uniformRows(_ edit: @escaping (inout [[Any]]) -> Void) -> (inout [String: Any]) -> Void {
        { object in
            var rows = object["allocations"] as! [[Any]]
            edit(&rows)
            object["allocations"] = rows
        }
    }

    @Test("points file: depth outside 0…max-bits, rows of the wrong length, too many or too few allocations, repeats", arguments: [
        ("depth 9", "allocations[0]: bit depth 9 for channel 0 is outside 0…8"),
        ("depth -1", "allocations[0]: bit depth -1 for channel 0 is outside 0…8"),
        ("depth 2^31", "allocations[0]: bit depth 2147483648 for channel 0 is outside 0…8"),
        ("depth 2^62", "allocations[0]: bit depth 4611686018427387904 for channel 0 is outside 0…8"),
        ("row of 0", "allocations[0]: 0 bit depths for 32 channels"),
        ("row of 1", "allocations[0]: 1 bit depths for 32 channels"),
        ("row of 31", "allocations[0]: 31 bit depths for 32 channels"),
        ("row of 33", "allocations[0]: 33 bit depths for 32 channels"),
        ("no allocations", "allocations: 0 allocations; uniform makes 1…9 in this run"),
        ("100 allocations", "allocations: 100 allocations; uniform makes 1…9 in this run"),
        ("repeat", "allocations[1]: the same allocation as an earlier one"),
        ("mixed depths", "allocations[2]: not the same depth on every channel"),
    ])
    func pointsFile(change: String, message: String) throws {
        let edit: (inout [[Any]]) -> Void
        switch change {
        case "depth 9": edit = { $0[0][0] = 9 }
        case "depth -1": edit = { $0[0][0] = -1 }
        case "depth 2^31": edit = { $0[0][0] = 1 << 31 }
        case "depth 2^62": edit = { $0[0][0] = 1 << 62 }
        case "row of 0": edit = { $0[0] = [] }
        case "row of 1": edit = { $0[0] = [1] }
        case "row of 31": edit = { $0[0] = [Int](repeating: 1, count: 31) }
        case "row of 33": edit = { $0[0] = [Int](repeating: 1, count: 33) }
        case "no allocations": edit = { $0 = [] }
        case "100 allocations": edit = { $0 = [[Any]](repeating: [Int](repeating: 1, count: 32), count: 100) }
        case "repeat": edit = { $0[1] = $0[0] }
        default: edit = { $0[2][5] = 7 }
        }
        let file = "points-1-uniform.json"
        try Self.expectRefused(try Self.copy(editing: file, Self.uniformRows(edit)), file: file, message: message)
    }

    @Test("NSGA-II state: x outside the bounds or not whole, ranks, generations past the run's, other settings", arguments: [
        ("x 1e9", "state.population.x[0]: variable 0 is 1000000000.0, outside its bounds [0.0, 8.0]"),
        ("x 3.5", "state.population.x[0]: variable 0 is 3.5, not a whole number"),
        ("rank -1", "state.population.rank[0]: -1 is negative"),
        ("generation 3", "state.generation: 3, but the run has 2 generations"),
        ("generation 10^6", "state.generation: 1000000, but the run has 2 generations"),
        ("crossover", "settings: not this run's NSGA-II settings"),
    ])
    func nsgaState(change: String, message: String) throws {
        let file = "nsga2-1.json"
        // Without the finished NSGA-II points the resume reads the state.
        let ck = try Self.copy(editing: file, removing: ["points-1-nsga2.json"]) { object in
            var state = object["state"] as! [String: Any]
            var population = state["population"] as! [String: Any]
            var x = population["x"] as! [Any]
            var rank = population["rank"] as! [Any]
            switch change {
            case "x 1e9": x[0] = 1e9
            case "x 3.5": x[0] = 3.5
            case "rank -1": rank[0] = -1
            case "generation 3": state["generation"] = 3; state["evaluations"] = 12
            case "generation 10^6": state["generation"] = 1_000_000
            default:
                var settings = object["settings"] as! [String: Any]
                var crossover = settings["crossover"] as! [String: Any]
                var parameters = crossover["parameters"] as! [String: Any]
                parameters["probability"] = 0.5
                crossover["parameters"] = parameters
                settings["crossover"] = crossover
                object["settings"] = settings
            }
            population["x"] = x
            population["rank"] = rank
            state["population"] = population
            object["state"] = state
        }
        try Self.expectRefused(ck, file: file, message: message)
    }

    @Test("an untouched checkpoint without the NSGA-II points resumes from the state and writes the same files")
    func untouchedStateResumes() throws {
        let ck = try Self.copy(editing: "nsga2-1.json", removing: ["points-1-nsga2.json"], nil)
        let straight = FrontCommandTests.temporaryFolder("trust-straight"), resumed = FrontCommandTests.temporaryFolder("trust-resumed")
        defer { for u in [ck, straight, resumed] { try? FileManager.default.removeItem(at: u) } }
        let a = try CLI.run(["front", CLI.mini.path] + Self.run + ["-o", straight.path])
        let b = try CLI.run(["front", CLI.mini.path] + Self.run + ["--resume", ck.path, "-o", resumed.path])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        for file in ["front.csv", "summary.json"] {
            #expect(try Data(contentsOf: straight.appendingPathComponent(file)) == Data(contentsOf: resumed.appendingPathComponent(file)), "\(file)")
        }
    }

    @Test("temporary files a kill left in the checkpoint folder are removed by the next resume")
    func leftoverTemporaryFilesRemoved() throws {
        let ck = try Self.copy(editing: "run.json", nil)
        let out = FrontCommandTests.temporaryFolder("trust-out")
        defer { for u in [ck, out] { try? FileManager.default.removeItem(at: u) } }
        // pid 2³¹−2 is never a live process here; the file looks like AtomicFile's temporary.
        let stale = ck.appendingPathComponent(".points-1-uniform.json.tmp-2147483646")
        try Data("{\"allocations\": [[1".utf8).write(to: stale)
        let result = try CLI.run(["front", CLI.mini.path] + Self.run + ["--resume", ck.path, "-o", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: ck.path).filter { $0.contains(".tmp-") }.isEmpty)
    }
}
