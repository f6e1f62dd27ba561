import Foundation
import Testing

/// What the libFuzzer campaign (Benchmarks/Fuzz, docs/reliability.md) found, each as the input
/// the fuzzer reported, run through the command a user would run.
@Suite("command line: inputs the fuzzers found", .serialized)
struct FuzzRegressionTests {
    /// fuzz-front-checkpoint, leak: an empty points file (the input `crash-da39a3ee…`, zero bytes)
    /// was read through Foundation, which leaked the 4096-byte buffer of an empty file; now read
    /// with open/read, and refused as a corrupted points file naming it.
    @Test("an empty points file in a front checkpoint: error naming it, exit 2, DIR untouched")
    func emptyPointsFile() throws {
        let ck = try CheckpointTrustTests.copy(editing: "run.json", nil)
        let points = try #require(try FileManager.default.contentsOfDirectory(atPath: ck.path).sorted().first { $0.hasPrefix("points-") })
        try Data().write(to: ck.appendingPathComponent(points))
        try CheckpointTrustTests.expectRefused(ck, file: points, message: "corrupted")
    }

    /// The same reader serves `report`: an empty summary.json is not a JSON object.
    @Test("report on a front folder whose summary.json is empty: error naming it, exit 2")
    func emptySummary() throws {
        let dir = try ReportCommandTests.savedRun("empty-summary", clean: 0.9)
        try Data().write(to: dir.appendingPathComponent("summary.json"))
        let out = dir.appendingPathComponent("x.svg")
        let result = try CLI.run(["report", dir.path, "-o", out.path])
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: \(dir.path)/summary.json: not a JSON object"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
