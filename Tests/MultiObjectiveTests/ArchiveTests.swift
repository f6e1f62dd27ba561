import Basics
import BenchmarkProblems
import Foundation
import Testing
@testable import MultiObjective

/// Wraps a problem and records every point evaluated, in order (serial evaluation only).
final class RecordingProblem: Problem, @unchecked Sendable {
    let base: any Problem
    private(set) var evaluated: [(x: [Double], f: [Double], feasible: Bool)] = []
    init(_ base: any Problem) { self.base = base }
    var name: String { base.name }
    var parameterDescription: String { base.parameterDescription }
    var variables: VariableSpace { base.variables }
    var objectiveCount: Int { base.objectiveCount }
    var constraintCount: Int { base.constraintCount }
    func evaluate(_ x: UnsafeBufferPointer<Double>, objectives: UnsafeMutableBufferPointer<Double>,
                  constraints: UnsafeMutableBufferPointer<Double>) {
        base.evaluate(x, objectives: objectives, constraints: constraints)
        evaluated.append((Array(x), Array(objectives), constraints.allSatisfy { $0 <= 0 }))
    }
}

/// The archive brute force would keep: each distinct objective vector that no offered point
/// dominates, with the first decision vector offered for it, in lexicographic order.
func bruteForceArchive(_ offered: [(x: [Double], f: [Double])]) -> [(x: [Double], f: [Double])] {
    var kept: [(x: [Double], f: [Double])] = []
    for (k, p) in offered.enumerated() {
        if offered.contains(where: { Dominance.relation($0.f, p.f) == 1 }) { continue }
        if offered[..<k].contains(where: { $0.f == p.f }) { continue }
        kept.append(p)
    }
    return kept.sorted { $0.f.lexicographicallyPrecedes($1.f) }
}

@Suite struct ArchiveTests {
    func expectSame(_ archive: ParetoArchive, _ expected: [(x: [Double], f: [Double])], _ label: String) {
        #expect(archive.count == expected.count, "\(label): \(archive.count) archived, brute force \(expected.count)")
        guard archive.count == expected.count else { return }
        for i in 0..<archive.count {
            #expect(archive.objectives(of: i) == expected[i].f && archive.variables(of: i) == expected[i].x, "\(label): point \(i)")
        }
    }

    /// Random offers with many ties and exact repeats (objectives from a few levels), 2–5
    /// objectives, against brute force.
    @Test(arguments: [2, 3, 4, 5])
    func matchesBruteForce(dimension m: Int) {
        var random = SeededRandom(seed: UInt64(40 + m))
        for trial in 0..<40 {
            let count = 1 + random.nextInt(below: 150)
            let objectives = randomTiedPoints(count: count, dimension: m, levels: 2 + trial % 7, random: &random)
            let offered = objectives.enumerated().map { (x: [Double($0.offset)], f: $0.element) }
            var archive = ParetoArchive(variableCount: 1, objectiveCount: m)
            for p in offered { archive.insert(variables: p.x, objectives: p.f) }
            expectSame(archive, bruteForceArchive(offered), "m \(m) trial \(trial)")
            #expect(archive.problem(space: try! VariableSpace(realCount: 1, lower: 0, upper: 1e9)) == nil)
        }
        var archive = ParetoArchive(variableCount: 1, objectiveCount: m)
        let archivedNaN = archive.insert(variables: [0], objectives: [Double](repeating: .nan, count: m))
        #expect(!archivedNaN)
        #expect(archive.count == 0)
    }

    /// A run's archive is the non-dominated set of every feasible point it evaluated, the initial
    /// individuals included — whatever survival did with them.
    @Test(arguments: ["zdt1", "dtlz2", "segment", "nsga3-dtlz2"])
    func runArchiveHoldsEveryEvaluatedPoint(name: String) throws {
        let base: any Problem = name == "segment" ? SegmentProblem() : try TestProblems.make(name.replacingOccurrences(of: "nsga3-", with: ""))
        let recorder = RecordingProblem(base)
        var settings: AlgorithmSettings = name.hasPrefix("nsga3") ? .nsga3(populationSize: 92) : AlgorithmSettings(populationSize: 40)
        settings.keepsArchive = true
        // A seed on the true front (so nothing can ever dominate it), and the origin (infeasible
        // for `segment`).
        let n = base.variables.count
        let optimal: [Double]
        switch base.name {
        case "zdt1": optimal = [0.2] + Array(repeating: 0, count: n - 1)    // g = 1
        case "dtlz2": optimal = [0.2, 0.6] + Array(repeating: 0.5, count: n - 2)    // g = 0
        default: optimal = [0.3, 0.7]    // x + y = 1
        }
        let seeds = [optimal, Array(repeating: 0.0, count: n)]
        let nsga = try GeneticAlgorithm(problem: recorder, settings: settings, seed: 3, initialIndividuals: seeds)
        nsga.run(until: .generations(25))
        let feasible = recorder.evaluated.filter(\.feasible).map { (x: $0.x, f: $0.f) }
        #expect(recorder.evaluated.count == nsga.state.evaluations)
        let archive = try #require(nsga.archive)
        expectSame(archive, bruteForceArchive(feasible), name)
        #expect(recorder.evaluated.prefix(2).map(\.x) == seeds)
        #expect(archive.front.contains(base.evaluate(optimal).objectives))
        #expect(archive.problem(space: base.variables) == nil)
    }

    /// Two objectives keep a staircase (f1 ascending, f2 strictly descending) through removals.
    @Test func twoObjectiveArchiveStaysAStaircase() {
        var archive = ParetoArchive(variableCount: 1, objectiveCount: 2)
        var random = SeededRandom(seed: 9)
        for k in 0..<5000 {
            let a = random.nextUnit(), b = random.nextUnit()
            archive.insert(variables: [Double(k)], objectives: [a, (1 - a.squareRoot()) + 0.3 * b * Double(5000 - k) / 5000])
        }
        let front = archive.front
        #expect(front.count > 50)
        for i in 1..<front.count { #expect(front[i - 1][0] < front[i][0] && front[i - 1][1] > front[i][1]) }
    }

    /// The archive is part of the state: a resumed run continues it exactly.
    @Test func resumeContinuesTheArchive() throws {
        let problem = try TestProblems.make("zdt2")
        var settings = AlgorithmSettings(populationSize: 20)
        settings.keepsArchive = true
        let whole = try GeneticAlgorithm(problem: problem, settings: settings, seed: 4)
        whole.run(until: .generations(30))
        let first = try GeneticAlgorithm(problem: problem, settings: settings, seed: 4)
        first.run(until: .generations(12))
        let resumed = try GeneticAlgorithm(resuming: try AlgorithmCheckpoint.decode(first.checkpoint().encoded()), problem: problem)
        resumed.run(until: .generations(30))
        #expect(resumed.state == whole.state)
        let archive = try #require(whole.archive)
        #expect(resumed.archive == archive && archive.count > 1)
        // It holds or beats every point of the population's front.
        for p in whole.front { #expect(p.withUnsafeBufferPointer { archive.covers($0.baseAddress!) }) }
    }
}
