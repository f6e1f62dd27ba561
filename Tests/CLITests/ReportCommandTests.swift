import Foundation
import Testing

/// `mipareto report DIR… -o FILE.svg` on saved front folders made by hand.
@Suite struct ReportCommandTests {
    static func savedRun(_ name: String, clean: Double) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)").appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let csv = """
        method,seed,bpe,bits_per_sample,entropy_bits_per_sample,left,recon,nondominated,bits
        ilp-mi,1,1,64,40.5,0.5,12.5,true,1-1
        ilp-mi,1,2,128,90,0.9,20.25,true,2-2
        nsga2,1,1.5,96,70,0.8,18,true,1-2

        """
        try csv.write(to: dir.appendingPathComponent("front.csv"), atomically: true, encoding: .utf8)
        try "{\"bundle\": \"toy\", \"clean\": {\"left\": \(clean), \"recon\": 23.3}, \"metricNames\": {\"left\": \"accuracy\", \"recon\": \"psnr\"}}"
            .write(to: dir.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func replotsTwoRunsWithLabelledSeries() throws {
        let a = try Self.savedRun("run-a", clean: 0.965), b = try Self.savedRun("run-b", clean: 0.965)
        let out = a.deletingLastPathComponent().appendingPathComponent("both.svg")
        let result = try CLI.run(["report", a.path, b.path, "-o", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try String(contentsOf: out, encoding: .utf8)
        // One legend entry per (run, method): 4 series across 2 runs.
        for name in ["run-a: ilp-mi", "run-a: nsga2", "run-b: ilp-mi", "run-b: nsga2"] { #expect(svg.contains(">\(name)</text>")) }
        #expect(svg.contains("PSNR [dB]"))
        #expect(svg.contains("clean 0.9650"))
    }

    @Test func aFolderWithoutFrontCSVIsAnError() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("report-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let out = empty.appendingPathComponent("x.svg")
        let result = try CLI.run(["report", empty.path, "-o", out.path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: \(empty.path)/front.csv: missing"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func aMalformedRowNamesTheFileAndLine() throws {
        let dir = try Self.savedRun("bad", clean: 0.9)
        try "method,seed,bpe,bits_per_sample,entropy_bits_per_sample,left,nondominated,bits\nilp-mi,one,1,1,1,0.5,true,1\n"
            .write(to: dir.appendingPathComponent("front.csv"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["report", dir.path, "-o", dir.appendingPathComponent("x.svg").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("front.csv: line 2: seed is not an integer"))
    }
}
