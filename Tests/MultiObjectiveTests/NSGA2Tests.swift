import BenchmarkProblems
import Foundation
import Testing
@testable import MultiObjective

/// A constrained problem with a known answer (Binh & Korn's simpler cousin): minimise (x, y) over
/// [0, 1]² subject to x + y ≥ 1. The front is the segment x + y = 1.
struct SegmentProblem: Problem {
    var name: String { "segment" }
    let variables = try! VariableSpace(realCount: 2, lower: 0, upper: 1)
    var objectiveCount: Int { 2 }
    var constraintCount: Int { 1 }
    func evaluate(_ x: UnsafeBufferPointer<Double>, objectives: UnsafeMutableBufferPointer<Double>,
                  constraints: UnsafeMutableBufferPointer<Double>) {
        objectives[0] = x[0]
        objectives[1] = x[1]
        constraints[0] = 1 - x[0] - x[1]
    }
}

/// Integer bit vectors: minimise (Σ b, Σ (4 − b)²/16) over b ∈ {0…4}^8; every vector with equal
/// bits is Pareto-optimal, so the front has the 33 sums 0…32.
struct BitsProblem: Problem {
    var name: String { "bits" }
    let variables = try! VariableSpace(lower: Array(repeating: 0, count: 8), upper: Array(repeating: 4, count: 8),
                                       kinds: Array(repeating: .integer, count: 8))
    var objectiveCount: Int { 2 }
    func evaluate(_ x: UnsafeBufferPointer<Double>, objectives: UnsafeMutableBufferPointer<Double>,
                  constraints: UnsafeMutableBufferPointer<Double>) {
        var s = 0.0, d = 0.0
        for v in x { s += v; d += (4 - v) * (4 - v) / 16 }
        objectives[0] = s
        objectives[1] = d
    }
}

@Suite struct NSGA2Tests {
    func run(_ name: String, seed: UInt64, evaluations: Int = 25_000) throws -> (hv: Double, igd: Double) {
        let problem = try TestProblems.make(name)
        let nsga = try NSGA2(problem: problem, seed: seed)
        nsga.run(until: .evaluations(evaluations))
        #expect(nsga.state.evaluations == evaluations)
        let front = nsga.front
        return (Hypervolume.compute(front, reference: problem.referencePoint),
                DistanceIndicators.invertedGenerationalDistance(front, reference: problem.trueFront()))
    }

    /// Quality bar of issue 3: 5 seeds (1…5), P = 100, 25 000 evaluations; median HV ≥ pymoo's
    /// median − 0.0005 (ZDT1–3) and − 0.003 (DTLZ2). pymoo medians (its seeds 1–5) from
    /// shared/peers/nsga2_peers.md.
    ///
    /// Caution, measured: a 5-seed median moves by about as much as the bar allows. pymoo's own
    /// seeds 6–10 give ZDT2 0.53590 and its seeds 11–15 give DTLZ2 0.69933, both below pymoo's bar
    /// (its 15-seed medians: ZDT2 0.53622, DTLZ2 0.70139; Benchmarks/peers/nsga2_peer.py). So the
    /// median over seeds 1…101 is printed beside the asserted 1…5 one, to judge a failure by.
    @Test(arguments: [("zdt1", 0.86959, 0.0005), ("zdt2", 0.53642, 0.0005), ("zdt3", 1.32766, 0.0005), ("dtlz2", 0.70356, 0.003)])
    func qualityMatchesPymoo(name: String, pymooMedian: Double, slack: Double) throws {
        var hvs: [Double] = []
        for seed in 1...101 { hvs.append(try run(name, seed: UInt64(seed)).hv) }
        let firstFive = median(Array(hvs.prefix(5))), all = median(hvs)
        print("quality \(name): median HV seeds 1–5 \(String(format: "%.5f", firstFive)) \(hvs.prefix(5).map { String(format: "%.5f", $0) }), seeds 1–101 \(String(format: "%.5f", all)); pymoo \(pymooMedian), bar \(String(format: "%.5f", pymooMedian - slack))")
        #expect(firstFive >= pymooMedian - slack)
    }

    @Test func sameSeedSameFront() throws {
        let problem = try TestProblems.make("zdt3")
        let a = try NSGA2(problem: problem, seed: 9), b = try NSGA2(problem: problem, seed: 9)
        a.run(until: .generations(40)); b.run(until: .generations(40))
        #expect(a.state == b.state)
        let c = try NSGA2(problem: problem, seed: 10)
        c.run(until: .generations(40))
        #expect(c.front != a.front)
    }

    @Test func parallelEvaluationGivesTheSameRun() throws {
        let problem = try TestProblems.make("dtlz2")
        let serial = try NSGA2(problem: problem, seed: 3)
        let parallel = try NSGA2(problem: problem, settings: NSGA2Settings(parallelEvaluation: true), seed: 3)
        serial.run(until: .generations(30)); parallel.run(until: .generations(30))
        #expect(serial.state == parallel.state)
    }

    /// Stop at generation 17, checkpoint through JSON text, resume to 60: identical to one run of 60.
    @Test func resumeAfterCheckpointEqualsUninterruptedRun() throws {
        for name in ["zdt1", "dtlz2"] {
            let problem = try TestProblems.make(name)
            let whole = try NSGA2(problem: problem, seed: 11)
            whole.run(until: .generations(60))

            let first = try NSGA2(problem: problem, seed: 11)
            first.run(until: .generations(17))
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("mo-ckpt-\(name)-\(getpid()).json")
            try first.checkpoint().write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            let resumed = try NSGA2(resuming: try NSGA2Checkpoint.read(from: url), problem: try TestProblems.make(name))
            resumed.run(until: .generations(60))
            #expect(resumed.state == whole.state, "\(name)")
        }
    }

    @Test func badCheckpointsAreRejected() throws {
        let problem = try TestProblems.make("zdt1")
        let nsga = try NSGA2(problem: problem, seed: 1)
        let data = try nsga.checkpoint().encoded()
        // Another problem.
        #expect(throws: CheckpointError.self) {
            try NSGA2(resuming: try NSGA2Checkpoint.decode(data), problem: try TestProblems.make("zdt2"))
        }
        // Same name, other size.
        #expect(throws: CheckpointError.self) {
            try NSGA2(resuming: try NSGA2Checkpoint.decode(data), problem: try TestProblems.make("zdt1", variables: 12))
        }
        // Truncated and garbage.
        #expect(throws: CheckpointError.self) { try NSGA2Checkpoint.decode(data.prefix(data.count / 2)) }
        #expect(throws: CheckpointError.self) { try NSGA2Checkpoint.decode(Data("{\"format\": 3}".utf8)) }
        // Arrays of the wrong length.
        var text = String(decoding: data, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"rank\":[", with: "\"rank\":[0,")
        #expect(throws: CheckpointError.self) { try NSGA2Checkpoint.decode(Data(text.utf8)) }
    }

    @Test func invalidSettingsThrow() throws {
        let problem = try TestProblems.make("zdt1")
        for size in [2, 3, 7] {
            #expect(throws: ProblemError.self) { try NSGA2(problem: problem, settings: NSGA2Settings(populationSize: size), seed: 1) }
        }
        #expect(throws: ProblemError.self) { try NSGA2(problem: problem, seed: 1, initialIndividuals: [[0.5]]) }
    }

    /// Constraint domination: the final population is feasible and its front covers the segment
    /// x + y = 1. The true front's hypervolume with reference (1.1, 1.1) is 1.1² − ½ = 0.71; 100
    /// evenly spread points on the segment would lose 100 triangles of (1/100)²/2, i.e. 0.005, so
    /// 0.69 leaves four times that for convergence and spacing.
    @Test func constrainedProblemReachesItsFront() throws {
        let nsga = try NSGA2(problem: SegmentProblem(), settings: NSGA2Settings(populationSize: 100), seed: 2)
        nsga.run(until: .generations(200))
        #expect(nsga.state.population.violation.allSatisfy { $0 == 0 })
        #expect(nsga.front.allSatisfy { $0[0] + $0[1] >= 1 - 1e-12 })
        let hv = Hypervolume.compute(nsga.front, reference: [1.1, 1.1])
        #expect(hv > 0.69 && hv < 0.71, "HV \(hv)")
    }

    /// Integer operators keep integers integral and find the whole front of the bits problem.
    @Test func integerOperatorsFindBitFront() throws {
        let nsga = try NSGA2(problem: BitsProblem(), settings: .integer(populationSize: 60), seed: 4)
        nsga.run(until: .generations(150))
        #expect(nsga.state.population.x.allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 <= 4 })
        #expect(Set(nsga.front.map { $0[0] }) == Set((0...32).map(Double.init)))
        // Rounded SBX + polynomial mutation on the same problem also stays integral.
        let sbx = try NSGA2(problem: BitsProblem(), settings: NSGA2Settings(populationSize: 60), seed: 4)
        sbx.run(until: .generations(50))
        #expect(sbx.state.population.x.allSatisfy { $0 == $0.rounded() })
    }

    /// User-supplied individuals enter the initial population (moved into bounds).
    @Test func initialIndividualsAreUsed() throws {
        let problem = try TestProblems.make("zdt1")
        var seedPoint = [Double](repeating: 0, count: 30)
        seedPoint[0] = 0.25
        let nsga = try NSGA2(problem: problem, settings: NSGA2Settings(populationSize: 20), seed: 1,
                             initialIndividuals: [seedPoint, seedPoint.map { $0 + 5 }])
        let p = nsga.state.population
        let rows = (0..<p.count).map { p.variables(of: $0) }
        #expect(rows.contains(seedPoint))
        #expect(rows.contains(Array(repeating: 1, count: 30)))   // clamped to the upper bounds
    }

    @Test func terminationByWallTimeStops() throws {
        let nsga = try NSGA2(problem: try TestProblems.make("zdt1"), seed: 1)
        var calls = 0
        nsga.run(until: Termination(maxGenerations: 1_000_000, maxSeconds: 0.05)) { _ in calls += 1 }
        #expect(calls > 0 && nsga.state.generation == calls + 1)
        #expect(nsga.state.generation < 1_000_000)
    }
}
