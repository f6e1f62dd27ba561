import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `mipareto weights`, run as a user would.
@Suite("command line: weights")
struct WeightsCommandTests {
    static func temporaryDirectory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-\(name)-\(UUID().uuidString)")
    }

    /// The shortest form `allocate --weights` reads back as the same double.
    static func number(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : "\(x)" }

    /// Brute force through other commands: for two grid points, each measure's allocation is
    /// made by `allocate --weights … -o`, re-scored by `evaluate --allocation`, the clean metrics
    /// come from `inspect`, and the loss Σ w_t(1 − m_t/c_t) and the winner are recomputed here.
    @Test func lossesEqualAllocatePlusEvaluate() throws {
        let measures = ["l1", "mi", "equal"]
        let run = try CLI.run(["weights", CLI.mini.path, "--budget", "2", "--measures", measures.joined(separator: ","), "--divisions", "2", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try CLI.json(run.stdout)
        let grid = try #require(document["grid"] as? [[String: Any]])
        #expect(grid.count == 10, "4 tasks, H = 2: C(5,3) = 10 points")

        let inspect = try CLI.run(["inspect", CLI.mini.path, "--json"])
        let tasks = try #require(try CLI.json(inspect.stdout)["tasks"] as? [[String: Any]])
        var clean: [String: Double] = [:]
        for task in tasks { clean[task["name"] as! String] = (task["clean"] as? [String: Double])?["eval"] }
        #expect(clean.count == 4)
        #expect((document["clean"] as? [String: Double]) == clean)

        let directory = Self.temporaryDirectory("weights-brute")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A corner and a mixed point.
        let chosen = grid.filter { point in
            let w = point["weights"] as! [String: Double]
            return w["recon"] == 1 || (w["left"] == 0.5 && w["right"] == 0.5)
        }
        #expect(chosen.count == 2)
        for point in chosen {
            let w = try #require(point["weights"] as? [String: Double])
            let values = try #require(point["values"] as? [String: Double])
            let weightText = w.keys.sorted().map { "\($0)=\(Self.number(w[$0]!))" }.joined(separator: ",")
            var losses: [Double] = []
            for measure in measures {
                let file = directory.appendingPathComponent("\(measure).json")
                let allocate = try CLI.run(["allocate", CLI.mini.path, "--budget", "2", "--measure", measure, "--weights", weightText, "-o", file.path, "--json"])
                #expect(allocate.status == 0, "\(allocate.stderr)")
                let evaluate = try CLI.run(["evaluate", CLI.mini.path, "--allocation", file.path, "--json"])
                #expect(evaluate.status == 0, "\(evaluate.stderr)")
                let metrics = try #require(try CLI.json(evaluate.stdout)["metrics"] as? [String: Double])
                let loss = w.reduce(0.0) { $0 + $1.value * (1 - metrics[$1.key]! / clean[$1.key]!) }
                losses.append(loss)
                // PSNR of evaluate and of the scorer agree to 1e-6 dB (AllocateCommandTests); the
                // loss divides by a clean PSNR ≈ 20 dB.
                #expect(abs(try #require(values[measure]) - loss) < 1e-7, "\(weightText) \(measure): weights \(values[measure]!) vs \(loss)")
            }
            var best = 0
            for m in losses.indices where losses[m] < losses[best] - 1e-7 { best = m }
            #expect(point["best"] as? String == measures[best], "\(weightText): \(losses)")
        }
    }

    /// Two tasks (--tasks): JSON keys, weights.csv columns and rows, weights.svg well-formed.
    @Test func filesAndKeys() throws {
        let directory = Self.temporaryDirectory("weights-files")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLI.run(["weights", CLI.mini.path, "--budget", "1", "--measures", "variance,mi", "--tasks", "left,right",
                               "--divisions", "4", "--split", "report", "-o", directory.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try CLI.json(run.stdout)
        for key in ["grid", "budget", "split", "measures", "clean", "wins", "tasks", "maxBits"] { #expect(document[key] != nil, "missing \(key)") }
        #expect(document["split"] as? String == "report")
        #expect(document["budget"] as? Double == 1)
        #expect(document["measures"] as? [String] == ["variance", "mi"])
        #expect(Set((document["clean"] as? [String: Double] ?? [:]).keys) == ["left", "right"])
        let grid = try #require(document["grid"] as? [[String: Any]])
        #expect(grid.count == 5)
        let wins = try #require(document["wins"] as? [String: Int])
        #expect(wins.values.reduce(0, +) == 5)
        var counted: [String: Int] = [:]
        for point in grid {
            let w = try #require(point["weights"] as? [String: Double])
            #expect(Set(w.keys) == ["left", "right"])
            #expect(abs(w.values.reduce(0, +) - 1) < 1e-12)
            let values = try #require(point["values"] as? [String: Double])
            let best = try #require(point["best"] as? String)
            #expect(values[best] == values.values.min())
            counted[best, default: 0] += 1
        }
        #expect(counted.filter { $0.value > 0 } == wins.filter { $0.value > 0 })

        let csv = try String(contentsOf: directory.appendingPathComponent("weights.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "w_left,w_right,best,loss_variance,loss_mi")
        #expect(lines.count == 6)
        // Each row is the JSON point of the same index.
        for (line, point) in zip(lines.dropFirst(), grid) {
            let cells = line.split(separator: ",").map(String.init)
            let w = point["weights"] as! [String: Double], values = point["values"] as! [String: Double]
            #expect(Double(cells[0]) == w["left"] && Double(cells[1]) == w["right"])
            #expect(cells[2] == point["best"] as? String)
            // Both files print the same shortest round-trip text, but Foundation's JSONSerialization
            // on Linux can read a double 1 ulp off: compare within 1e-14.
            #expect(abs(try #require(Double(cells[3])) - values["variance"]!) < 1e-14)
            #expect(abs(try #require(Double(cells[4])) - values["mi"]!) < 1e-14)
        }

        let svg = try Data(contentsOf: directory.appendingPathComponent("weights.svg"))
        let parser = XMLParser(data: svg)
        #expect(parser.parse(), "weights.svg is well-formed XML")
        let text = String(decoding: svg, as: UTF8.self)
        #expect(text.contains("1 bpe") && text.contains("report"), "the title names the budget and the split")
    }

    @Test func readableOutputShowsWins() throws {
        let run = try CLI.run(["weights", CLI.mini.path, "--budget", "2", "--measures", "l1,equal", "--tasks", "left,recon", "--divisions", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        for text in ["wins", "l1", "equal", "w(left)", "w(recon)", "budget 2 bits per element"] {
            #expect(run.stdout.contains(text), "missing \(text) in \(run.stdout)")
        }
    }

    /// Bad input: `error:`, exit 2, and nothing written.
    @Test(arguments: [
        (["--budget", "2", "--measures", "mi,nope"], "nope"),
        (["--budget", "9", "--measures", "l1"], "--max-bits"),
        (["--budget", "-1", "--measures", "l1"], "--budget"),
        (["--budget", "2", "--measures", "l1", "--divisions", "0"], "--divisions"),
        (["--budget", "2", "--measures", "l1", "--tasks", "left,nope"], "nope"),
        (["--budget", "2", "--measures", "l1", "--split", "test"], "--split"),
    ])
    func badInput(arguments: [String], mention: String) throws {
        let directory = Self.temporaryDirectory("weights-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLI.run(["weights", CLI.mini.path] + arguments + ["-o", directory.path])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("error:") && run.stderr.contains(mention), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.path), "a failing run writes nothing")
    }

    @Test func outputThatIsAFileIsRefusedAndKept() throws {
        let file = Self.temporaryDirectory("weights-file")
        try Data("keep me".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try CLI.run(["weights", CLI.mini.path, "--budget", "2", "--measures", "l1", "-o", file.path])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("error:") && run.stderr.contains("is a file"), "\(run.stderr)")
        #expect(try String(contentsOf: file, encoding: .utf8) == "keep me")
    }
}
