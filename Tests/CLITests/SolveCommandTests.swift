import Foundation
import Testing

/// `mipareto solve` run as a separate process, the way scripts use it.
@Suite struct SolveCommandTests {
    static func run(_ arguments: [String]) throws -> CLI.Result { try CLI.run(arguments) }

    static func file(_ contents: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("solve-\(UUID().uuidString).json")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Hand computation (see ExactSolverTests): optimum bits (1, 1), objective 3, rate 3.
    static let small = "{\"maxRate\": 3, \"sizes\": [1, 2], \"costs\": [[3, 2, 1], [5, 1, 0.5]]}"

    @Test(arguments: ["exact", "glpk"]) func solvesAndPrintsTheContractKeys(solver: String) throws {
        let result = try Self.run(["solve", Self.file(Self.small), "--solver", solver, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json)
        for key in ["status", "bits", "objective", "rate", "optimal", "seconds"] { #expect(json[key] != nil, "missing \(key)") }
        #expect(json["status"] as? String == "optimal")
        #expect(json["bits"] as? [Int] == [1, 1])
        #expect(json["objective"] as? Double == 3)
        #expect(json["rate"] as? Int == 3)
        #expect(json["optimal"] as? Bool == true)
        #expect(json["solver"] as? String == solver)
    }

    @Test func textOutputWithoutJSON() throws {
        let result = try Self.run(["solve", Self.file(Self.small)])
        #expect(result.status == 0)
        #expect(result.stdout.contains("status     optimal"))
        #expect(result.stdout.contains("bits       1 1"))
    }

    static let withRow = """
        {"maxRate": 3, "sizes": [1, 2], "costs": [[3, 2, 1], [5, 1, 0.5]],
         "constraints": [{"costs": [[0, 1, 1], [0, 1, 1]], "max": 1}]}
        """

    /// With the row (at most one channel above 0 bits): (2,0)=6 and (0,1)=4 are allowed, (1,1) not → 4.
    @Test func constraintsGoToGLPKByDefault() throws {
        let result = try Self.run(["solve", Self.file(Self.withRow), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json?["solver"] as? String == "glpk")
        #expect(result.json?["bits"] as? [Int] == [0, 1])
        #expect(result.json?["objective"] as? Double == 4)
    }

    @Test func exactSolverRefusesConstraints() throws {
        let result = try Self.run(["solve", Self.file(Self.withRow), "--solver", "exact"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains("--solver glpk"))
        #expect(result.stdout.isEmpty)
    }

    @Test func infeasibleExitsThree() throws {
        let path = try Self.file("""
            {"maxRate": 3, "sizes": [1, 2], "costs": [[3, 2, 1], [5, 1, 0.5]],
             "constraints": [{"costs": [[1, 1, 1], [1, 1, 1]], "max": 1}]}
            """)
        let result = try Self.run(["solve", path, "--json"])
        #expect(result.status == 3)
        #expect(result.json?["status"] as? String == "infeasible")
        #expect(result.json?["bits"] as? [Int] == [])
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains("infeasible"))
    }

    /// 4096 channels × 9 depths take GLPK seconds; a 1 ms limit ends before any feasible point.
    @Test func timeLimitWithoutPointExitsFour() throws {
        let channels = 4096
        let sizes = (0..<channels).map { [49, 196, 784, 3136][$0 % 4] }
        var rows: [String] = []
        for c in 0..<channels {
            let scale = Double(1 + (c * 7919) % 1000)
            let row: [Double] = (0...8).map { (b: Int) -> Double in scale * pow(2.0, -2.0 * Double(b)) }
            rows.append("\(row)")
        }
        let maxRate: Int = 4 * sizes.reduce(0, +)
        let text = "{\"maxRate\": \(maxRate), \"sizes\": \(sizes), \"costs\": [" + rows.joined(separator: ", ") + "]}"
        let result = try Self.run(["solve", Self.file(text), "--solver", "glpk", "--time-limit", "0.001", "--json"])
        #expect(result.status == 4, "\(result.stdout) \(result.stderr)")
        #expect(result.json?["status"] as? String == "timeLimit")
        #expect(result.json?["bits"] as? [Int] == [])
        #expect(result.stderr.hasPrefix("error: "))
    }

    @Test(arguments: [
        "{\"maxRate\": 3, \"sizes\": [1, 2], \"costs\": [[3, 2, 1], [5, 1",      // malformed JSON
        "{\"maxRate\": 3, \"sizes\": [1, 2], \"costs\": [[3, 2, 1], [5, 1]]}",  // rows of different lengths
        "{\"maxRate\": 3, \"sizes\": [1, -2], \"costs\": [[3, 2], [5, 1]]}",    // negative size
        "{\"maxRate\": 3, \"sizes\": [1], \"costs\": [[3, NaN]]}",              // NaN is not JSON
        "{\"maxRate\": 3, \"sizes\": [1], \"costs\": [[3, 1e999]]}",            // overflows to infinity
        "{\"maxRate\": -3, \"sizes\": [1], \"costs\": [[3, 2]]}",               // negative budget
    ])
    func badInputExitsTwo(contents: String) throws {
        let path = try Self.file(contents)
        let result = try Self.run(["solve", path, "--json"])
        #expect(result.status == 2, "stdout: \(result.stdout)")
        #expect(result.stderr.hasPrefix("error: \(path)"), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func missingFileAndBadTimeLimitExitTwo() throws {
        let missing = try Self.run(["solve", "/nonexistent/problem.json"])
        #expect(missing.status == 2 && missing.stderr.hasPrefix("error: "))
        let limit = try Self.run(["solve", Self.file(Self.small), "--time-limit", "-1"])
        #expect(limit.status == 2 && limit.stderr.hasPrefix("error: "))
    }
}
