import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `mipareto importance` and `mipareto select` as a user runs them (binary found by `CLI`).
@Suite("command line: importance and select")
struct ImportanceCommandTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-imp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// True when `text` parses as XML (the SVG is well-formed).
    static func wellFormed(_ text: String) -> Bool { XMLParser(data: Data(text.utf8)).parse() }

    @Test("importance --json: measure, estimator, scores{task: [C numbers]}")
    func importanceJSON() throws {
        let result = try CLI.run(["importance", CLI.mini.path, "--measure", "mi", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try CLI.json(result.stdout)
        #expect(document["measure"] as? String == "mi")
        #expect(document["estimator"] as? String == "pooled")
        let scores = try #require(document["scores"] as? [String: [Double]])
        #expect(Set(scores.keys) == ["left", "right", "sum_ge_10", "recon"])
        #expect(scores.values.allSatisfy { $0.count == 32 && $0.allSatisfy { $0 >= 0 } })
        let l1 = try CLI.json(try CLI.run(["importance", CLI.mini.path, "--measure", "l1", "--json"]).stdout)
        #expect(l1["estimator"] is NSNull)
    }

    @Test("importance -o FILE.csv: header channel,task,measure,score and C rows per task; -o FILE.svg: a well-formed heat map")
    func importanceFiles() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("scores.csv"), svg = dir.appendingPathComponent("scores.svg")
        let a = try CLI.run(["importance", CLI.mini.path, "--measure", "variance", "-o", csv.path])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.contains("top channels per task"))
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "channel,task,measure,score")
        #expect(lines.count == 1 + 4 * 32)
        #expect(lines[1].hasPrefix("0,left,variance,"))
        let b = try CLI.run(["importance", CLI.mini.path, "--measure", "mi", "--estimator", "binned", "-o", svg.path])
        #expect(b.status == 0, "\(b.stderr)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg") || text.hasPrefix("<?xml"))
        #expect(Self.wellFormed(text))
        let bad = try CLI.run(["importance", CLI.mini.path, "--measure", "l1", "-o", dir.appendingPathComponent("x.txt").path])
        #expect(bad.status == 2 && bad.stderr.hasPrefix("error:"))
    }

    @Test("bad input: unknown measure or estimator, k too large, NaN features → error: and exit 2")
    func badInput() throws {
        for arguments in [["--measure", "entropyy"], ["--measure", "mi", "--estimator", "knn"], ["--measure", "mi", "--patch", "3x"]] {
            let r = try CLI.run(["importance", CLI.mini.path] + arguments)
            #expect(r.status == 2, "\(arguments)")
            #expect(r.stderr.hasPrefix("error:"), "\(arguments): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        let k = try CLI.run(["importance", CLI.mini.path, "--measure", "mi", "--neighbors", "500"])
        #expect(k.status == 2)
        #expect(k.stderr.hasPrefix("error:") && k.stderr.contains("--neighbors 500"), "\(k.stderr)")
        let patch = try CLI.run(["importance", CLI.mini.path, "--measure", "mi", "--estimator", "patch", "--patch", "3x3"])
        #expect(patch.status == 2 && patch.stderr.contains("--patch 3x3 does not tile"), "\(patch.stderr)")

        // NaN in channel 5 of sample 2: the float32 at data offset of element (2·32 + 5)·32.
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("bundle")
        try FileManager.default.copyItem(at: CLI.mini, to: copy)
        let file = copy.appendingPathComponent("fit/features.npy")
        var bytes = [UInt8](try Data(contentsOf: file))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let offset = 10 + headerLength + ((2 * 32 + 5) * 32) * 4
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { for i in 0..<4 { bytes[offset + i] = $0[i] } }
        try Data(bytes).write(to: file)
        let nan = try CLI.run(["importance", copy.path, "--measure", "l1"])
        #expect(nan.status == 2)
        #expect(nan.stderr.hasPrefix("error:") && nan.stderr.contains("NaN in channel 5 (sample 2)"), "\(nan.stderr)")
    }

    @Test("select --json: curves per measure and ranking, area; select.csv and a well-formed select.svg")
    func select() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("sel")
        let r = try CLI.run(["select", CLI.mini.path, "--measures", "l1,random", "--weights", "left=2", "--split", "search", "-o", out.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let document = try CLI.json(r.stdout)
        let curves = try #require(document["curves"] as? [[String: Any]])
        #expect(curves.count == 2 * 5)
        let first = try #require(curves.first)
        #expect(first["measure"] as? String == "l1")
        #expect(first["task"] as? String == "left")
        #expect(first["k"] as? [Int] == Array(1...32))
        #expect((first["metric"] as? [Double])?.count == 32)
        #expect(Set(curves.compactMap { $0["task"] as? String }) == ["left", "right", "sum_ge_10", "recon", "all"])
        let area = try #require(document["area"] as? [String: [String: Double]])
        #expect(Set(area.keys) == ["l1", "random"])
        #expect(area["l1"]?.count == 5)
        #expect(area.values.allSatisfy { $0.values.allSatisfy { $0 > 0 && $0 <= 1.05 } })
        let weights = try #require(document["weights"] as? [String: Double])
        #expect(weights["left"] == 0.4 && weights["right"] == 0.2)
        let csv = try String(contentsOf: out.appendingPathComponent("select.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("measure,ranking,task,k,metric,clean\n"))
        #expect(csv.split(separator: "\n").count == 1 + 2 * 5 * 4 * 32)
        #expect(Self.wellFormed(try String(contentsOf: out.appendingPathComponent("select.svg"), encoding: .utf8)))
    }

    @Test("select bad input: a weight naming an unknown task, an unknown measure")
    func selectBadInput() throws {
        let w = try CLI.run(["select", CLI.mini.path, "--measures", "l1", "--weights", "lefty=1"])
        #expect(w.status == 2)
        #expect(w.stderr.hasPrefix("error:") && w.stderr.contains("unknown task \"lefty\""), "\(w.stderr)")
        let m = try CLI.run(["select", CLI.mini.path, "--measures", "l1,foo"])
        #expect(m.status == 2 && m.stderr.hasPrefix("error:") && m.stderr.contains("foo"), "\(m.stderr)")
    }
}
