import Foundation
import Testing

/// `examples/export_bundle.py` — what a user runs to make a bundle — writes a bundle that MIPareto
/// loads and that scores like the original: it re-exports the embedded example's arrays and heads,
/// recomputing every `outputs_<task>.npy` with its own float64 NumPy forward pass.
@Suite struct ExportExampleTests {
    @Test func reExportedExampleLoadsAndMatchesTheReference() throws {
        let python = URL(fileURLWithPath: "/usr/bin/env")
        let probe = Process()
        probe.executableURL = python
        probe.arguments = ["python3", "-c", "import numpy"]
        probe.standardError = Pipe()
        guard (try? probe.run()) != nil else { print("skipped: no python3 here"); return }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { print("skipped: python3 has no numpy (pip install numpy)"); return }

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        let export = Process()
        export.executableURL = python
        export.arguments = ["python3", CLI.repository.appendingPathComponent("examples/export_bundle.py").path, out.path]
        export.standardOutput = Pipe()
        try export.run()
        export.waitUntilExit()
        #expect(export.terminationStatus == 0)

        let result = try CLI.run(["inspect", out.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        try CLITests.expectCleanMatchesReference(try CLI.json(result.stdout))
        // The recomputed outputs agree with the network's own: evaluate reports full agreement at 16 bits.
        let evaluation = try CLI.run(["evaluate", out.path, "--bits", "16", "--json"])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        let details = try #require(try CLI.json(evaluation.stdout)["details"] as? [String: [String: Any]])
        for task in ["left", "right", "sum_ge_10"] { #expect(details[task]?["agreement"] as? Double == 1, "\(task)") }
    }
}
