import Foundation
import Testing
import FeatureData
import Inference
import MultiObjective
@testable import Experiments

@Suite("NSGA-II on true metrics")
struct TrueMetricProblemTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mini = repository.appendingPathComponent("examples/data/digits-pair-mini").path

    /// The objectives of `bits` recomputed by hand from the plain Scorer: bpe/maxBits (every
    /// channel has the same H·W, so bpe = mean depth) and per task 1 − metric/clean in [0, 1].
    static func expectedObjectives(bits: [Int], maxBits: Int, scorer: Scorer, clean: Evaluation) -> [Double] {
        let bpe = Double(bits.reduce(0, +)) / Double(bits.count)
        let evaluation = scorer.score(bits: bits)
        return [bpe / Double(maxBits)] + zip(evaluation.tasks, clean.tasks).map { Swift.min(1, Swift.max(0, 1 - $0.metric / $1.metric)) }
    }

    @Test("every objective vector NSGA-II reports re-scores with the plain Scorer")
    func endToEnd() throws {
        let bundle = try FeatureBundle(directory: Self.mini)
        let problem = try TrueMetricProblem(bundle: bundle, split: .search, maxBits: 8)
        #expect(problem.objectiveCount == 5)
        #expect(problem.variables.count == 32)
        let nsga = try NSGA2(problem: problem, settings: .integer(populationSize: 16), seed: 7)
        nsga.run(until: Termination(maxGenerations: 8))
        #expect(nsga.state.evaluations > 16 * 5)

        let scorer = Scorer(bundle: bundle, split: .search, quantiser: Quantiser(fitOf: bundle))
        let clean = scorer.scoreClean()
        let population = nsga.state.population
        for i in 0..<population.count {
            let bits = population.variables(of: i).map { Int($0) }
            #expect(bits.allSatisfy { (0...8).contains($0) })
            let expected = Self.expectedObjectives(bits: bits, maxBits: 8, scorer: scorer, clean: clean)
            let reported = population.objectives(of: i)
            // Rate and accuracies exactly; the PSNR loss within float rounding of the first layer
            // (1e-6 dB of a ~20 dB PSNR is 5e-8).
            for k in 0..<4 { #expect(reported[k] == expected[k], "member \(i) objective \(k): \(reported[k]) vs \(expected[k])") }
            #expect(abs(reported[4] - expected[4]) < 1e-7, "member \(i) recon loss \(reported[4]) vs \(expected[4])")
        }
        // The front is made of those members.
        for point in nsga.front {
            #expect((0..<population.count).contains { population.objectives(of: $0) == point })
        }
        let statistics = problem.incrementalScorer!.statistics
        print("true-metric NSGA-II on mini: \(nsga.state.evaluations) evaluations, \(statistics), mean changed channels \(statistics.meanChangedChannels)")
        // NSGA-II hands each generation over as a batch: its terms are computed once per chunk
        // of samples and shared, and pairs of them that several children add are summed once.
        #expect(statistics.termsComputed > 0)
        #expect(statistics.pairsComputed > 0)

        // Path independence: a scorer with no cache (every allocation from the bias) gives the
        // same bits as the run's scorer did, whatever start each allocation had there.
        let cold = IncrementalScorer(bundle: bundle, split: .search, quantiser: Quantiser(fitOf: bundle), memoryBudget: 0)
        for i in 0..<population.count {
            let bits = population.variables(of: i).map { Int($0) }
            let again = problem.objectives(bits: bits, evaluation: cold.score(bits: bits))
            #expect(again.map(\.bitPattern) == population.objectives(of: i).map(\.bitPattern), "member \(i) bit for bit")
        }
    }

    @Test("batch evaluation of population rows matches single evaluation")
    func batch() throws {
        let bundle = try FeatureBundle(directory: Self.mini)
        let problem = try TrueMetricProblem(bundle: bundle, maxBits: 4)
        var population = Population(count: 3, variableCount: 32, objectiveCount: 5, constraintCount: 0)
        let rows: [[Int]] = [Array(repeating: 4, count: 32), Array(repeating: 0, count: 32), (0..<32).map { $0 % 5 }]
        for (r, bits) in rows.enumerated() { for c in 0..<32 { population.x[r * 32 + c] = Double(bits[c]) } }
        problem.evaluate(&population, rows: 0..<3)
        // All 4 bits: bpe 4 = maxBits, objective 1; all dropped: bpe 0.
        #expect(population.objectives(of: 0)[0] == 1)
        #expect(population.objectives(of: 1)[0] == 0)
        for r in 0..<3 {
            #expect(population.objectives(of: r) == problem.evaluate(population.variables(of: r)).objectives)
        }
        #expect(throws: ProblemError.self) { try TrueMetricProblem(bundle: bundle, maxBits: 0) }
    }
}
