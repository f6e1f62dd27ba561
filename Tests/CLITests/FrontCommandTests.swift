import Foundation
import Testing

/// `mipareto front` end to end on the embedded mini bundle, checked against independent
/// computations: `evaluate --split report` for the scores, a brute-force dominance check, and a
/// hypervolume by recursive slicing (not the library's WFG).
@Suite("command line: front", .serialized)
struct FrontCommandTests {
    static func temporaryFolder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-front-\(name)-\(UUID().uuidString)")
    }

    /// front.csv as rows of named cells.
    static func readCSV(_ url: URL) throws -> (header: [String], rows: [[String: String]]) {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let rows = lines.dropFirst().map { line -> [String: String] in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, cells))
        }
        return (header, rows)
    }

    static let tasks = ["left", "right", "sum_ge_10", "recon"]

    /// The first `"key": <number>` of a JSON text, parsed by `Double(String)` (exact).
    static func rawNumber(_ key: String, in text: String) -> Double? {
        guard let range = text.range(of: "\"\(key)\": ") else { return nil }
        let digits = text[range.upperBound...].prefix { "0123456789.eE+-".contains($0) }
        return Double(String(digits))
    }

    /// Exact hypervolume of boxes [p, ref] by slicing along the last objective (HSO, While et al.
    /// 2006): sort by the last coordinate; between consecutive values the slab's cross-section is
    /// the (d−1)-dimensional hypervolume of the points already passed.
    static func slicedHypervolume(_ points: [[Double]], reference: [Double]) -> Double {
        let d = reference.count
        let inside = points.filter { p in zip(p, reference).allSatisfy { $0 < $1 } }
        guard !inside.isEmpty else { return 0 }
        if d == 1 { return reference[0] - inside.map { $0[0] }.min()! }
        let sorted = inside.sorted { $0[d - 1] < $1[d - 1] }
        var volume = 0.0
        for i in 0..<sorted.count {
            let top = i + 1 < sorted.count ? sorted[i + 1][d - 1] : reference[d - 1]
            let depth = top - sorted[i][d - 1]
            if depth <= 0 { continue }
            let section = sorted[0...i].map { Array($0.prefix(d - 1)) }
            volume += depth * slicedHypervolume(section, reference: Array(reference.prefix(d - 1)))
        }
        return volume
    }

    @Test("hypervolume by slicing: two boxes in 2-D and a unit cube corner in 3-D (hand computed)")
    func slicingByHand() {
        // [0.2,1]×[0.5,1] ∪ [0.5,1]×[0.1,1] = 0.8·0.5 + 0.5·0.9 − 0.5·0.5 = 0.6.
        #expect(abs(Self.slicedHypervolume([[0.2, 0.5], [0.5, 0.1]], reference: [1, 1]) - 0.6) < 1e-15)
        #expect(abs(Self.slicedHypervolume([[0.5, 0.5, 0.5]], reference: [1, 1, 1]) - 0.125) < 1e-15)
    }

    static let arguments = ["--methods", "ilp-mi,ilp-random,twolevel-mi,select-mi,uniform,nsga2", "--budgets", "0.5:0.5:3",
                            "--max-bits", "4", "--seeds", "1,2", "--population", "8", "--generations", "3", "--seed-from-ilp"]

    @Test("front.csv re-scores through evaluate --split report; non-dominated flags and hypervolumes recomputed")
    func endToEnd() throws {
        let out = Self.temporaryFolder("run")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try CLI.run(["front", CLI.mini.path] + Self.arguments + ["-o", out.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try CLI.json(run.stdout)
        let saved = try CLI.json(try String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8))
        #expect(NSDictionary(dictionary: summary) == NSDictionary(dictionary: saved), "--json prints summary.json")
        for file in ["front.svg", "importance.svg", "select.svg"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        #expect(summary["split"] as? String == "report")
        #expect(summary["bundle"] as? String == "digits-pair-mini")
        #expect(summary["maxBits"] as? Int == 4)
        #expect(summary["seeds"] as? [Int] == [1, 2])
        #expect((summary["metricNames"] as? [String: String])?["recon"] == "psnr")
        let clean = try #require(summary["clean"] as? [String: Double])
        let methods = try #require(summary["methods"] as? [String: [String: Any]])
        #expect(Set(methods.keys) == ["ilp-mi", "ilp-random", "twolevel-mi", "select-mi", "uniform", "nsga2"])
        let comparisons = try #require(summary["comparisons"] as? [String: [String: Any]])
        #expect(Set(comparisons.keys) == ["ilp-random", "twolevel-mi", "select-mi", "uniform", "nsga2"])
        #expect((summary["comparisonsNote"] as? String)?.contains("fewer than 6 seeds") == true)

        #expect(Set(clean.keys) == Set(Self.tasks))

        let csv = try Self.readCSV(out.appendingPathComponent("front.csv"))
        #expect(csv.header == ["method", "seed", "bpe", "bits_per_sample", "entropy_bits_per_sample"] + Self.tasks + ["nondominated", "bits"])
        #expect(csv.rows.count == methods.values.reduce(0) { $0 + ($1["points"] as! Int) })

        // 1. Every distinct allocation of the CSV re-scored by `evaluate --split report`: same numbers.
        var checked = Set<String>()
        let folder = Self.temporaryFolder("alloc")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // One row per method and seed (the first) plus every nsga2 row: scored by two scorers in the run.
        var picked: [[String: String]] = []
        var firstOf = Set<String>()
        for row in csv.rows where firstOf.insert(row["method"]! + row["seed"]!).inserted || row["method"] == "nsga2" { picked.append(row) }
        for row in picked where checked.insert(row["bits"]!).inserted {
            let bits = row["bits"]!.split(separator: "-").map { Int($0)! }
            let file = folder.appendingPathComponent("a\(checked.count).json")
            try Data("{\"bits\": [\(bits.map(String.init).joined(separator: ", "))]}".utf8).write(to: file)
            let evaluation = try CLI.run(["evaluate", CLI.mini.path, "--split", "report", "--allocation", file.path, "--json"])
            #expect(evaluation.status == 0, "\(evaluation.stderr)")
            // Numbers read from the text itself: Foundation's JSON parser can be off by an ulp.
            func number(_ key: String) -> Double? { Self.rawNumber(key, in: evaluation.stdout) }
            for task in Self.tasks { #expect(Double(row[task]!) == number(task), "\(row["method"]!) \(task)") }
            #expect(Double(row["bpe"]!) == number("bpe"))
            #expect(Double(row["bits_per_sample"]!) == number("bitsPerSample"))
            #expect(Double(row["entropy_bits_per_sample"]!) == number("entropyBitsPerSample"))
        }
        #expect(checked.count >= 6)

        // 2. nondominated by brute force, per method and seed (fewer bpe, higher metrics).
        var groups: [String: [[String: String]]] = [:]
        for row in csv.rows { groups[row["method"]! + "#" + row["seed"]!, default: []].append(row) }
        for (key, rows) in groups {
            let vectors = rows.map { r in [Double(r["bpe"]!)!] + Self.tasks.map { -Double(r[$0]!)! } }
            for (i, v) in vectors.enumerated() {
                let dominated = vectors.contains { q in zip(q, v).allSatisfy { $0 <= $1 } && zip(q, v).contains { $0 < $1 } }
                #expect(rows[i]["nondominated"] == (dominated ? "false" : "true"), "\(key) row \(i)")
            }
        }

        // 3. Hypervolume per method and seed from the CSV rows, by slicing.
        for (name, entry) in methods {
            var perSeed: [Double] = []
            for seed in [1, 2] {
                let rows = groups["\(name)#\(seed)"] ?? []
                let objectives = rows.map { r in
                    [Double(r["bpe"]!)! / 4] + Self.tasks.map { t in Swift.min(1, Swift.max(0, 1 - Double(r[t]!)! / clean[t]!)) }
                }
                perSeed.append(Self.slicedHypervolume(objectives, reference: [1, 1, 1, 1, 1]))
            }
            let reported = try #require(entry["hypervolumePerSeed"] as? [Double])
            for k in 0..<2 { #expect(abs(reported[k] - perSeed[k]) < 1e-12, "\(name) seed \(k + 1): \(reported[k]) vs \(perSeed[k])") }
            let mean = (perSeed[0] + perSeed[1]) / 2
            let sd = abs(perSeed[0] - perSeed[1]) / 2.0.squareRoot()
            #expect(abs((entry["hypervolume"] as! Double) - mean) < 1e-12)
            #expect(abs((entry["hypervolumeSd"] as! Double) - sd) < 1e-12)
        }

        // 4. Shapes of the methods: uniform 0…4 bits; select-mi k = 1…32 channels at 4 bits.
        let uniform = csv.rows.filter { $0["method"] == "uniform" && $0["seed"] == "1" }.map { Double($0["bpe"]!)! }
        #expect(uniform == [0, 1, 2, 3, 4])
        let select = csv.rows.filter { $0["method"] == "select-mi" && $0["seed"] == "1" }.map { $0["bits"]!.split(separator: "-").map { Int($0)! } }
        #expect(select.count == 32)
        for (k, bits) in select.enumerated() {
            #expect(bits.filter { $0 == 4 }.count == k + 1 && bits.filter { $0 == 0 }.count == 31 - k)
        }
        // ILP sweeps stay within their budgets (0.5…3 bpe).
        #expect(csv.rows.filter { $0["method"]!.hasPrefix("ilp-") }.allSatisfy { Double($0["bpe"]!)! <= 3 })
    }

    @Test("--resume after SIGKILL writes the same files as the uninterrupted run")
    func resumeAfterKill() throws {
        let arguments = ["--methods", "ilp-mi,uniform,nsga2", "--budgets", "1:1:3", "--max-bits", "4", "--seeds", "1,2",
                         "--population", "8", "--generations", "8", "--seed-from-ilp", "--quiet"]
        let straight = Self.temporaryFolder("straight"), resumed = Self.temporaryFolder("resumed"), checkpoint = Self.temporaryFolder("ck")
        defer { for u in [straight, resumed, checkpoint] { try? FileManager.default.removeItem(at: u) } }
        let full = try CLI.run(["front", CLI.mini.path] + arguments + ["-o", straight.path])
        #expect(full.status == 0, "\(full.stderr)")

        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["front", CLI.mini.path] + arguments + ["--checkpoint", checkpoint.path, "-o", resumed.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill once NSGA-II of the first seed has saved a generation after the first.
        let deadline = Date().addingTimeInterval(120)
        var killed = false
        while Date() < deadline && process.isRunning {
            if let data = FileManager.default.contents(atPath: checkpoint.appendingPathComponent("nsga2-1.json").path),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let state = object["state"] as? [String: Any], let generation = state["generation"] as? Int, generation >= 3 {
                kill(process.processIdentifier, SIGKILL)
                killed = true
                break
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        #expect(killed && process.terminationReason == .uncaughtSignal, "the run ended before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: resumed.appendingPathComponent("front.csv").path), "killed before writing")

        let again = try CLI.run(["front", CLI.mini.path] + arguments + ["--resume", checkpoint.path, "-o", resumed.path])
        #expect(again.status == 0, "\(again.stderr)")
        for file in ["front.csv", "summary.json", "front.svg", "importance.svg"] {
            let a = try Data(contentsOf: straight.appendingPathComponent(file))
            let b = try Data(contentsOf: resumed.appendingPathComponent(file))
            #expect(a == b, "\(file) differs after resume")
        }
    }

    /// A folder holding one sentinel file; the check that a failing run left it alone.
    static func sentinelFolder() throws -> URL {
        let dir = temporaryFolder("sentinel")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("keep me\n".utf8).write(to: dir.appendingPathComponent("front.csv"))
        return dir
    }

    static func expectUntouched(_ dir: URL) throws {
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["front.csv"])
        #expect(try String(contentsOf: dir.appendingPathComponent("front.csv"), encoding: .utf8) == "keep me\n")
    }

    @Test("bad input: error, exit ≠ 0, nothing in DIR touched", arguments: [
        (["--methods", "ilp-mi,ilp-magic"], "unknown method \"ilp-magic\""),
        (["--methods", "ilp-mi", "--budgets", ""], "--budgets"),
        (["--methods", "ilp-mi", "--budgets", "3:1:1"], "The value '3:1:1' is invalid for '--budgets <a:step:b>': empty"),
        (["--methods", "ilp-mi", "--budgets", "1:1:5", "--max-bits", "4"], "above --max-bits 4"),
        (["--methods", "nsga2", "--population", "7"], "--population 7"),
        (["--methods", "uniform", "--seeds", "1,x"], "--seeds"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let dir = try Self.sentinelFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLI.run(["front", CLI.mini.path] + arguments + ["-o", dir.path])
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        if message.contains("unknown method") { #expect(result.stderr.contains("ilp-<measure>") && result.stderr.contains("nsga2")) }
        try Self.expectUntouched(dir)
    }

    @Test("-o pointing at a file is an error and the file is kept")
    func outputIsAFile() throws {
        let dir = try Self.sentinelFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("front.csv")
        let result = try CLI.run(["front", CLI.mini.path, "--methods", "uniform", "-o", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: --output \(file.path): is a file"), "\(result.stderr)")
        try Self.expectUntouched(dir)
    }

    @Test("--resume from another bundle, or with other settings, is an error and DIR is kept")
    func resumeFromAnotherBundle() throws {
        let other = Self.temporaryFolder("bundle"), checkpoint = Self.temporaryFolder("ck")
        let dir = try Self.sentinelFolder()
        defer { for u in [other, checkpoint, dir] { try? FileManager.default.removeItem(at: u) } }
        // Another bundle: the mini bundle under another name.
        try FileManager.default.copyItem(at: CLI.mini, to: other)
        let manifest = other.appendingPathComponent("bundle.json")
        let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "\"digits-pair-mini\"", with: "\"digits-pair-other\"")
        try Data(text.utf8).write(to: manifest)
        let out = Self.temporaryFolder("out")
        defer { try? FileManager.default.removeItem(at: out) }
        let first = try CLI.run(["front", other.path, "--methods", "uniform", "--checkpoint", checkpoint.path, "-o", out.path, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")

        let result = try CLI.run(["front", CLI.mini.path, "--methods", "uniform", "--resume", checkpoint.path, "-o", dir.path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: --resume \(checkpoint.path): the checkpoint is of bundle digits-pair-other"), "\(result.stderr)")
        try Self.expectUntouched(dir)

        let settings = try CLI.run(["front", other.path, "--methods", "uniform", "--max-bits", "6", "--resume", checkpoint.path, "-o", dir.path])
        #expect(settings.status == 2)
        #expect(settings.stderr.contains("other settings") && settings.stderr.contains("max bits 8 vs 6"), "\(settings.stderr)")
        try Self.expectUntouched(dir)
    }
}
