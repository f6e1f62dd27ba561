import Foundation
import Testing

/// Commands on bundles of several streams and with tasks without heads (docs/format.md).
///
/// The independent checks: a bundle whose streams are the embedded bundle's channels cut in two
/// (same H·W) must give the embedded bundle's numbers exactly; heads reading a copy of the
/// embedded features in one stream of three must give the embedded bundle's metrics; rates of
/// mixed-size streams are computed here by hand.
@Suite("command line: streams and tasks without heads", .serialized)
struct StreamCommandTests {
    static let twoStream = CLI.repository.appendingPathComponent("examples/data/digits-two-stream")
    static let torchEvaluator = "python3 \(CLI.repository.appendingPathComponent("examples/torch_two_stream/evaluator.py").path)"
    static let numpyHeads = "python3 \(CLI.repository.appendingPathComponent("examples/evaluators/numpy_heads.py").path)"

    /// The embedded channels cut into streams `a` (0…19) and `b` (20…31); no heads.
    static func cut() throws -> URL {
        try StreamBundles.make([.init(name: "a") { $0.channels(0..<20) }, .init(name: "b") { $0.channels(20..<32) }], heads: [:], name: "mini-cut")
    }

    /// Three streams: `s0` and `s1` both the embedded features `[32, 4, 8]` (left and recon read
    /// s0, right and sum_ge_10 read s1), `s2` the first 8 channels pooled 2×2 (`[8, 2, 4]`, no head).
    static func mixed() throws -> URL {
        try StreamBundles.make([.init(name: "s0") { $0 }, .init(name: "s1") { $0 }, .init(name: "s2") { $0.pooled(0..<8) }],
                               heads: ["left": "s0", "recon": "s0", "right": "s1", "sum_ge_10": "s1"], name: "mini-mixed")
    }

    static func temporary(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func writeAllocation(_ bits: [Int], in folder: URL, _ name: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data("{\"bits\": [\(bits.map(String.init).joined(separator: ","))]}".utf8).write(to: url)
        return url.path
    }

    static func ok(_ arguments: [String]) throws -> CLI.Result {
        let r = try CLI.run(arguments)
        #expect(r.status == 0, "\(arguments.joined(separator: " ")): \(r.stderr)")
        return r
    }

    static func pythonHas(_ module: String) -> Bool {
        (try? CLI.shell("python3 -c 'import \(module)' >/dev/null 2>&1 && echo yes"))?.contains("yes") ?? false
    }

    // MARK: - Streams cut from one tensor: the one-tensor numbers exactly

    @Test("cut into two streams of the same H·W: importance (every measure), allocations and no-score fronts equal the one-tensor bundle's")
    func cutEqualsOneTensor() throws {
        let cut = try Self.cut()
        let out = try Self.temporary("cut-out")
        defer { try? FileManager.default.removeItem(at: cut); try? FileManager.default.removeItem(at: out) }
        for measure in [["mi"], ["mi", "--estimator", "patch"], ["mi", "--estimator", "binned"], ["l1"], ["variance"], ["random"], ["entropy"], ["equal"]] {
            let arguments = ["--measure"] + measure + ["--json"]
            let one = try Self.ok(["importance", CLI.mini.path] + arguments), two = try Self.ok(["importance", cut.path] + arguments)
            let a = try #require(one.json?["scores"] as? [String: [Double]]), b = try #require(two.json?["scores"] as? [String: [Double]])
            #expect(a == b, "importance \(measure.joined(separator: " "))")
            #expect(b["left"]?.count == 32)
        }
        let one = try Self.ok(["allocate", CLI.mini.path, "--budget", "2", "--no-score", "--json"])
        let two = try Self.ok(["allocate", cut.path, "--budget", "2", "--no-score", "--json"])
        #expect(one.json?["bits"] as? [Int] == two.json?["bits"] as? [Int])
        #expect(one.json?["rate"] as? [String: Double] == two.json?["rate"] as? [String: Double])
        #expect(one.json?["objective"] as? Double == two.json?["objective"] as? Double)
        // The fronts' points (bits, rates) are the same file.
        let methods = "ilp-mi,ilp-l1,twolevel-mi,select-mi,uniform"
        _ = try Self.ok(["front", CLI.mini.path, "--methods", methods, "--no-score", "-o", out.appendingPathComponent("one").path])
        _ = try Self.ok(["front", cut.path, "--methods", methods, "--no-score", "-o", out.appendingPathComponent("two").path])
        let csvOne = try String(contentsOf: out.appendingPathComponent("one/front.csv"), encoding: .utf8)
        let csvTwo = try String(contentsOf: out.appendingPathComponent("two/front.csv"), encoding: .utf8)
        #expect(csvOne == csvTwo)
        #expect(csvOne.split(separator: "\n").count > 40)
        // No heads: inspect shows no clean metric, evaluate needs an evaluator.
        let inspect = try Self.ok(["inspect", cut.path, "--json"])
        let tasks = try #require(inspect.json?["tasks"] as? [[String: Any]])
        #expect(tasks.allSatisfy { ($0["clean"] as? [String: Any])?["eval"] is NSNull })
        let streams = try #require(inspect.json?["streams"] as? [[String: Any]])
        #expect(streams.map { $0["firstChannel"] as? Int } == [0, 20] && streams.map { $0["shape"] as? [Int] } == [[20, 4, 8], [12, 4, 8]])
    }

    // MARK: - Heads reading one stream each, mixed sizes

    @Test("heads on two streams of three: each task's metric is the one-tensor bundle's on its stream's slice; rate of mixed sizes by hand")
    func mixedStreamsWithHeads() throws {
        let mixed = try Self.mixed()
        let folder = try Self.temporary("mixed-alloc")
        defer { try? FileManager.default.removeItem(at: mixed); try? FileManager.default.removeItem(at: folder) }
        let a = (0..<32).map { ($0 * 5) % 9 }, b = (0..<32).map { ($0 * 3 + 1) % 9 }, c = (0..<8).map { ($0 * 2 + 1) % 9 }
        let whole = try Self.writeAllocation(a + b + c, in: folder, "whole.json")
        let onA = try Self.writeAllocation(a, in: folder, "a.json"), onB = try Self.writeAllocation(b, in: folder, "b.json")
        for split in ["eval", "report"] {
            let three = try Self.ok(["evaluate", mixed.path, "--allocation", whole, "--split", split, "--json"])
            let oneA = try Self.ok(["evaluate", CLI.mini.path, "--allocation", onA, "--split", split, "--json"])
            let oneB = try Self.ok(["evaluate", CLI.mini.path, "--allocation", onB, "--split", split, "--json"])
            let m = try #require(three.json?["metrics"] as? [String: Double])
            let ma = try #require(oneA.json?["metrics"] as? [String: Double]), mb = try #require(oneB.json?["metrics"] as? [String: Double])
            #expect(m["left"] == ma["left"] && m["recon"] == ma["recon"], "\(split)")
            #expect(m["right"] == mb["right"] && m["sum_ge_10"] == mb["sum_ge_10"], "\(split)")
            // Rate by hand: 32 + 32 channels of 4·8 elements, 8 channels of 2·4; 2112 elements per sample.
            let rate = try #require(three.json?["rate"] as? [String: Double])
            let bits = 32 * a.reduce(0, +) + 32 * b.reduce(0, +) + 8 * c.reduce(0, +)
            #expect(rate["bitsPerSample"] == Double(bits))
            #expect(rate["bpe"] == Double(bits) / 2112)
            #expect(rate["sideInformationBits"] == Double(64 * (a + b + c).filter { $0 > 0 }.count))
        }
        // Taylor: a head's gradient reaches only its own stream; there the scores are the one-tensor bundle's.
        let taylorThree = try #require(try Self.ok(["importance", mixed.path, "--measure", "taylor", "--json"]).json?["scores"] as? [String: [Double]])
        let taylorOne = try #require(try Self.ok(["importance", CLI.mini.path, "--measure", "taylor", "--json"]).json?["scores"] as? [String: [Double]])
        let zeros32 = [Double](repeating: 0, count: 32), zeros8 = [Double](repeating: 0, count: 8)
        for task in ["left", "recon"] { #expect(taylorThree[task] == taylorOne[task]! + zeros32 + zeros8, "\(task)") }
        for task in ["right", "sum_ge_10"] { #expect(taylorThree[task] == zeros32 + taylorOne[task]! + zeros8, "\(task)") }
        // inspect: the clean metrics are the one-tensor bundle's.
        let inspectThree = try Self.ok(["inspect", mixed.path, "--json"]), inspectOne = try Self.ok(["inspect", CLI.mini.path, "--json"])
        let cleanThree = try #require(inspectThree.json?["tasks"] as? [[String: Any]]).map { $0["clean"] as? [String: Double] }
        let cleanOne = try #require(inspectOne.json?["tasks"] as? [[String: Any]]).map { $0["clean"] as? [String: Double] }
        #expect(cleanThree == cleanOne)
        #expect(cleanThree.allSatisfy { $0 != nil })
    }

    @Test("a front with heads on several streams: uniform points equal the one-tensor front's; NSGA-II searches the streams")
    func mixedFront() throws {
        let mixed = try Self.mixed()
        let out = try Self.temporary("mixed-front")
        defer { try? FileManager.default.removeItem(at: mixed); try? FileManager.default.removeItem(at: out) }
        let settings = ["--population", "8", "--generations", "2", "--seeds", "1"]
        _ = try Self.ok(["front", mixed.path, "--methods", "uniform,nsga2"] + settings + ["-o", out.appendingPathComponent("three").path, "--quiet"])
        _ = try Self.ok(["front", CLI.mini.path, "--methods", "uniform"] + settings + ["-o", out.appendingPathComponent("one").path, "--quiet"])
        func rows(_ name: String) throws -> [[Substring]] {
            try String(contentsOf: out.appendingPathComponent("\(name)/front.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        }
        let three = try rows("three"), one = try rows("one")
        let header = three[0].map(String.init)
        #expect(header == one[0].map(String.init))
        let columns = ["bpe", "left", "right", "sum_ge_10", "recon"].map { header.firstIndex(of: $0)! }
        let uniformThree = three.filter { $0[0] == "uniform" }, uniformOne = one.filter { $0[0] == "uniform" }
        #expect(uniformThree.count == 9 && uniformOne.count == 9)
        for (x, y) in zip(uniformThree, uniformOne) { #expect(columns.map { x[$0] } == columns.map { y[$0] }) }
        let nsga2 = three.filter { $0[0] == "nsga2" }
        #expect(!nsga2.isEmpty)
        #expect(nsga2.allSatisfy { $0.last!.split(separator: "-").count == 72 })
    }

    @Test("the NumPy reference evaluator on heads reading several streams = internal scoring")
    func numpyHeadsOnStreams() throws {
        guard Self.pythonHas("numpy") else { print("skipping: python3 with numpy not found"); return }
        let mixed = try Self.mixed()
        let folder = try Self.temporary("mixed-numpy")
        defer { try? FileManager.default.removeItem(at: mixed); try? FileManager.default.removeItem(at: folder) }
        let whole = try Self.writeAllocation((0..<72).map { ($0 * 7) % 9 }, in: folder, "whole.json")
        for (split, allocation) in [("eval", ["--bits", "3"]), ("search", ["--allocation", whole]), ("fit", ["--bits", "1"])] {
            let heads = try Self.ok(["evaluate", mixed.path, "--split", split, "--json"] + allocation)
            let other = try Self.ok(["evaluate", mixed.path, "--split", split, "--json", "--evaluator", Self.numpyHeads] + allocation)
            let a = try #require(heads.json?["metrics"] as? [String: Double]), b = try #require(other.json?["metrics"] as? [String: Double])
            for task in ["left", "right", "sum_ge_10"] { #expect(a[task] == b[task], "\(split) \(task)") }
            #expect(abs(a["recon"]! - b["recon"]!) < 1e-6, "\(split) recon \(a["recon"]!) vs \(b["recon"]!)")
        }
    }

    // MARK: - The committed headless two-stream bundle

    @Test("headless two-stream bundle: inspect gives null clean metrics, evaluate without an evaluator exits 2, importance and no-score fronts work")
    func headlessTwoStream() throws {
        let inspect = try Self.ok(["inspect", Self.twoStream.path, "--json"])
        let tasks = try #require(inspect.json?["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["name"] as? String } == ["left", "right", "recon"])
        for task in tasks {
            let clean = try #require(task["clean"] as? [String: Any])
            #expect(clean["fit"] is NSNull && clean["eval"] is NSNull)
        }
        let table = try Self.ok(["inspect", Self.twoStream.path])
        #expect(table.stdout.contains("streams s0 [8, 8, 16], s1 [16, 4, 8]"))
        #expect(table.stdout.contains("left   classification  accuracy  -    -"))

        let evaluate = try CLI.run(["evaluate", Self.twoStream.path, "--bits", "4"])
        #expect(evaluate.status == 2)
        #expect(evaluate.stderr.hasPrefix("error: ") && evaluate.stderr.contains("task left has no head") && evaluate.stderr.contains("--evaluator"))
        #expect(evaluate.stdout.isEmpty)
        let front = try CLI.run(["front", Self.twoStream.path, "--methods", "ilp-mi,uniform", "-o", "/nonexistent/never-written"])
        #expect(front.status == 2 && front.stderr.contains("has no head"))

        let importance = try Self.ok(["importance", Self.twoStream.path, "--measure", "mi", "--json"])
        let scores = try #require(importance.json?["scores"] as? [String: [Double]])
        #expect(scores.keys.sorted() == ["left", "recon", "right"] && scores.values.allSatisfy { $0.count == 24 && $0.allSatisfy(\.isFinite) })
        let taylor = try CLI.run(["importance", Self.twoStream.path, "--measure", "taylor"])
        #expect(taylor.status == 2 && taylor.stderr.contains("task \"left\" has none"))

        // allocate --no-score: the rate counts 128 elements for each s0 channel and 32 for each s1 channel.
        let allocate = try Self.ok(["allocate", Self.twoStream.path, "--budget", "2", "--no-score", "--json"])
        let bits = try #require(allocate.json?["bits"] as? [Int])
        let rate = try #require(allocate.json?["rate"] as? [String: Double])
        let expected = 128 * bits[0..<8].reduce(0, +) + 32 * bits[8..<24].reduce(0, +)
        #expect(bits.count == 24 && rate["bitsPerSample"] == Double(expected) && rate["bpe"] == Double(expected) / 1536)
        #expect(rate["bpe"]! <= 2)

        let out = try Self.temporary("two-stream-noscore")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try Self.ok(["front", Self.twoStream.path, "--methods", "ilp-mi,uniform", "--no-score", "-o", out.path])
        let rows = try String(contentsOf: out.appendingPathComponent("front.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.contains { $0.hasPrefix("uniform,1,3,4608,") })  // 3 bits · 1536 elements
    }

    @Test("front on the two-stream bundle through the PyTorch evaluator: finite metrics, the same files twice")
    func torchFront() throws {
        guard Self.pythonHas("torch") else { print("skipping: torch is not importable"); return }
        let out = try Self.temporary("two-stream-torch")
        defer { try? FileManager.default.removeItem(at: out) }
        for run in ["first", "second"] {
            _ = try Self.ok(["front", Self.twoStream.path, "--methods", "ilp-mi,uniform", "--evaluator", Self.torchEvaluator,
                             "-o", out.appendingPathComponent(run).path, "--quiet"])
        }
        let first = try String(contentsOf: out.appendingPathComponent("first/front.csv"), encoding: .utf8)
        let second = try String(contentsOf: out.appendingPathComponent("second/front.csv"), encoding: .utf8)
        #expect(first == second)
        let rows = first.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = rows[0].map(String.init)
        let left = header.firstIndex(of: "left")!, right = header.firstIndex(of: "right")!, recon = header.firstIndex(of: "recon")!
        #expect(rows.count > 30)
        for row in rows.dropFirst() {
            let accuracies = [Double(row[left]), Double(row[right])]
            #expect(accuracies.allSatisfy { $0 != nil && $0!.isFinite && (0...1).contains($0!) }, "\(row)")
            #expect(Double(row[recon])?.isFinite == true)
        }
        // Enough bits keep the clean accuracy within a few points (the clean report accuracy is 0.955).
        let top = rows.filter { $0[0] == "uniform" && $0[2] == "8" }
        #expect(top.count == 1 && Double(top[0][left])! > 0.9)

        // inspect: a task without a head shows the evaluator's clean metric.
        let inspect = try Self.ok(["inspect", Self.twoStream.path, "--json", "--evaluator", Self.torchEvaluator])
        let tasks = try #require(inspect.json?["tasks"] as? [[String: Any]])
        let fromEvaluator = try #require((inspect.json?["evaluator"] as? [String: Any])?["clean"] as? [String: [String: Double]])
        for task in tasks {
            let name = try #require(task["name"] as? String), clean = try #require(task["clean"] as? [String: Double])
            #expect(clean["fit"] == fromEvaluator[name]?["fit"] && clean["eval"] == fromEvaluator[name]?["eval"], "\(name)")
            #expect(clean["eval"]!.isFinite)
        }
    }
}
