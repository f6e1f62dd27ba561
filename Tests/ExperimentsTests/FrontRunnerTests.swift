import Basics
import Foundation
import Testing
import FeatureData
import Importance
@testable import Experiments

@Suite("front: methods, settings, runner")
struct FrontRunnerTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mini = repository.appendingPathComponent("examples/data/digits-pair-mini").path

    @Test("method names parse both ways; unknown names list the valid ones")
    func methodNames() throws {
        for name in FrontMethod.validNames { #expect(FrontMethod(name: name)?.name == name) }
        #expect(try FrontMethod.parseList("ilp-mi, uniform,ilp-mi,nsga2") == [.ilp(.mi), .uniform, .nsga2])
        #expect(FrontMethod(name: "ilp-") == nil && FrontMethod(name: "select-foo") == nil && FrontMethod(name: "NSGA2") == nil)
        #expect(throws: ParameterError.self) { try FrontMethod.parseList("ilp-mi,greedy") }
        #expect(throws: ParameterError.self) { try FrontMethod.parseList(" , ") }
        // Seeded: NSGA-II and the measures with randomness only.
        #expect(FrontMethod.nsga2.usesSeed && FrontMethod.ilp(.random).usesSeed && FrontMethod.select(.mi).usesSeed)
        #expect(!FrontMethod.uniform.usesSeed && !FrontMethod.ilp(.variance).usesSeed && !FrontMethod.twoLevel(.taylor).usesSeed)
    }

    @Test("budgets: a:step:b inclusive without drift, lists, and the empty cases")
    func budgets() throws {
        #expect(try BudgetGrid.parse("0.25:0.25:1") == [0.25, 0.5, 0.75, 1])
        let sweep = try BudgetGrid.parse("0.1:0.1:1")
        #expect(sweep.count == 10 && sweep.last == 1)
        #expect(try BudgetGrid.parse("2") == [2])
        #expect(try BudgetGrid.parse("1, 2,4") == [1, 2, 4])
        for bad in ["", " ", "3:1:1", "1:0:2", "1:x:2", "1:2", "a"] {
            #expect(throws: ParameterError.self, "\(bad)") { try BudgetGrid.parse(bad) }
        }
        var s = FrontSettings(methods: [.ilp(.mi)], budgets: [1, 9], maxBits: 8)
        #expect(throws: ParameterError.self) { _ = try s.validated() }
        s.budgets = [1, 8]
        _ = try s.validated()
        // Budgets do not matter to methods without a sweep.
        try FrontSettings(methods: [.uniform], budgets: [], maxBits: 8).validated()
    }

    @Test("NSGA-II's seeds from the ILP sweeps: round-robin, duplicates once, evenly thinned")
    func initialIndividuals() {
        let a = [[1], [2], [3]], b = [[1], [5]]
        #expect(FrontRunner.initialIndividuals(ilp: [a, b], population: 10) == [[1], [2], [5], [3]])
        // Four distinct, two wanted: indices 0 and 2 of the merged list.
        #expect(FrontRunner.initialIndividuals(ilp: [a, b], population: 2) == [[1], [5]])
    }

    @Test("a run without NSGA-II: uniform and ILP points on report, per-seed copies of unseeded methods")
    func smallRun() throws {
        let bundle = try FeatureBundle(directory: Self.mini)
        let settings = FrontSettings(methods: [.ilp(.variance), .ilp(.random), .uniform], budgets: [1, 2], maxBits: 4, seeds: [3, 4])
        let result = try FrontRunner(bundle: bundle, settings: settings).run()
        #expect(result.methods.map(\.name) == ["ilp-variance", "ilp-random", "uniform"])
        // Unseeded methods give the same points for every seed; uniform is 0…4 bits.
        let variance = result.methods[0].hypervolumePerSeed
        #expect(variance[0] == variance[1] && result.methods[0].hypervolumeSD == 0)
        let uniform = result.points.filter { $0.method == "uniform" && $0.seed == 3 }
        #expect(uniform.map(\.bpe) == [0, 1, 2, 3, 4])
        // Within budget, and the random measure changes with the seed.
        #expect(result.points.filter { $0.method.hasPrefix("ilp-") }.allSatisfy { $0.bpe <= 2 })
        let random3 = result.points.filter { $0.method == "ilp-random" && $0.seed == 3 }.map(\.bits)
        let random4 = result.points.filter { $0.method == "ilp-random" && $0.seed == 4 }.map(\.bits)
        #expect(random3 != random4)
        #expect(result.comparisons.isEmpty && result.miScores == nil)
    }
}
