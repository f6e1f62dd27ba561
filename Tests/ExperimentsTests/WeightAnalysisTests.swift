import Basics
import Allocation
import Experiments
import FeatureData
import Foundation
import Importance
import Inference
import Testing

@Suite("task-weight analysis")
struct WeightAnalysisTests {
    /// Grid sizes are C(H + T − 1, T − 1), computed by hand: T = 2, H = 10 → 11; T = 3, H = 10 →
    /// 66; T = 4, H = 5 → C(8, 3) = 56; T = 4, H = 2 → C(5, 3) = 10; T = 5, H = 4 → C(8, 4) = 70.
    @Test(arguments: [(2, 10, 11), (3, 10, 66), (4, 5, 56), (4, 2, 10), (5, 4, 70), (1, 3, 1)])
    func gridSizeAndSums(tasks: Int, divisions: Int, count: Int) {
        let grid = WeightAnalysis.grid(tasks: tasks, divisions: divisions)
        #expect(grid.count == count)
        #expect(WeightAnalysis.gridSize(tasks: tasks, divisions: divisions) == count)
        #expect(Set(grid).count == count, "every vector once")
        for w in grid {
            #expect(w.count == tasks)
            #expect(abs(w.reduce(0, +) - 1) < 1e-12, "\(w) sums to 1")
            for x in w {
                // A non-negative multiple of 1/H.
                #expect(x >= 0 && abs(x * Double(divisions) - (x * Double(divisions)).rounded()) < 1e-9)
            }
        }
    }

    /// The default grid: 10 divisions for 2 and 3 tasks; for 4 tasks 5 (C(7,3) = 35 < 50 ≤
    /// C(8,3) = 56); for 5 tasks 4 (C(7,4) = 35 < 50 ≤ C(8,4) = 70).
    @Test func defaultDivisions() {
        #expect(WeightAnalysis.defaultDivisions(tasks: 2) == 10)
        #expect(WeightAnalysis.defaultDivisions(tasks: 3) == 10)
        #expect(WeightAnalysis.defaultDivisions(tasks: 4) == 5)
        #expect(WeightAnalysis.defaultDivisions(tasks: 5) == 4)
    }

    /// Three tasks, two divisions: the three corners and the three edge midpoints, written out by hand.
    @Test func smallTriangleByHand() {
        let grid = Set(WeightAnalysis.grid(tasks: 3, divisions: 2))
        #expect(grid == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
        // Two tasks, four divisions: the line 0, 1/4, …, 1 with the first weight ascending.
        #expect(WeightAnalysis.grid(tasks: 2, divisions: 4) == [[0, 1], [0.25, 0.75], [0.5, 0.5], [0.75, 0.25], [1, 0]])
    }

    /// Σ w_t (1 − m_t/c_t) by hand: 0.25·(1 − 0.8/1) + 0.75·(1 − 20/25) = 0.05 + 0.15 = 0.2.
    @Test func lossByHand() {
        #expect(abs(WeightAnalysis.loss(weights: [0.25, 0.75], metrics: [0.8, 20], clean: [1, 25]) - 0.2) < 1e-15)
        #expect(WeightAnalysis.loss(weights: [1, 0], metrics: [0.5, 0], clean: [1, 30]) == 0.5)
    }

    @Test func winnerTakesTheLowestAndTiesGoToTheEarlier() {
        #expect(WeightAnalysis.winner([0.3, 0.1, 0.2]) == 1)
        #expect(WeightAnalysis.winner([0.2, 0.1, 0.1]) == 1)
        #expect(WeightAnalysis.winner([0.1, 0.1]) == 0)
        #expect(WeightAnalysis.winner([0.5]) == 0)
    }

    /// Brute force on digits-pair-mini: for every point of a small grid, each measure's
    /// allocation is recomputed with its own `Allocator` (its own distortion table, nothing
    /// cached) and scored by a fresh `Scorer`; the loss is recomputed from those metrics and the
    /// winner chosen by a plain scan. The analysis must agree point for point.
    @Test func agreesWithBruteForceOnMini() throws {
        let bundle = (try FeatureBundle(directory: Paths.mini.path))
        let measures: [ImportanceMeasure] = [.l1, .mi, .equal]
        let options = measures.map { ImportanceOptions(measure: $0) }
        let grid = WeightAnalysis.grid(tasks: 4, divisions: 2)
        let analysis = try WeightAnalysis.run(bundle: bundle, scoring: Scorer(bundle: bundle, split: .report, quantiser: Quantiser(fitOf: bundle)),
                                              allocators: try WeightAnalysis.allocators(bundle: bundle, importance: options, maxBits: 8),
                                              budget: 1.5, grid: grid)
        #expect(analysis.points.count == 10)
        #expect(analysis.wins.reduce(0, +) == 10)
        #expect(analysis.measures == measures)

        let scorer = Scorer(bundle: bundle, split: .report, quantiser: Quantiser(fitOf: bundle))
        let clean = scorer.scoreClean().tasks.map(\.metric)
        #expect(analysis.clean == clean)
        let separate = try options.map { try Allocator(bundle: bundle, importance: $0, maxBits: 8) }
        let names = bundle.tasks.map(\.name)
        for (point, w) in zip(analysis.points, grid) {
            #expect(point.weights == w)
            var losses: [Double] = []
            for allocator in separate {
                let bits = try allocator.allocate(budget: 1.5, weights: TaskValues(zip(names, w).map { (task: $0, value: $1) })).bits
                let metrics = scorer.score(bits: bits).tasks.map(\.metric)
                var loss = 0.0
                for t in 0..<4 { loss += w[t] * (1 - metrics[t] / clean[t]) }
                losses.append(loss)
            }
            for m in measures.indices { #expect(abs(point.losses[m] - losses[m]) < 1e-12, "\(w) \(measures[m])") }
            var best = 0
            for m in losses.indices where losses[m] < losses[best] { best = m }
            #expect(point.best == best, "\(w)")
        }
        // l1 and equal rank channels the same for every task: one allocation each over the grid.
        let l1Allocations = Set(analysis.points.map { $0.allocationIndices[0] })
        #expect(l1Allocations.count == 1)
    }

    /// --tasks: the weights are over a subset; the other tasks neither drive the allocation nor count.
    @Test func taskSubset() throws {
        let bundle = (try FeatureBundle(directory: Paths.mini.path))
        let allocators = try WeightAnalysis.allocators(bundle: bundle, importance: [ImportanceOptions(measure: .mi)], maxBits: 8)
        let analysis = try WeightAnalysis.run(bundle: bundle, scoring: Scorer(bundle: bundle, split: .eval, quantiser: Quantiser(fitOf: bundle)),
                                              allocators: allocators, budget: 1, tasks: ["right", "left"],
                                              grid: WeightAnalysis.grid(tasks: 2, divisions: 2))
        #expect(analysis.taskNames == ["right", "left"])
        let scorer = Scorer(bundle: bundle, split: .eval, quantiser: Quantiser(fitOf: bundle))
        let clean = scorer.scoreClean().tasks.map(\.metric)
        #expect(analysis.clean == [clean[1], clean[0]])
        // The corner right = 1 is `allocate --weights right=1`.
        let corner = try #require(analysis.points.first { $0.weights == [1, 0] })
        let bits = try allocators[0].allocate(budget: 1, weights: TaskValues([("right", 1)])).bits
        let metric = scorer.score(bits: bits).tasks[1].metric
        #expect(abs(corner.losses[0] - (1 - metric / clean[1])) < 1e-12)
        #expect(throws: ParameterError.self) {
            try WeightAnalysis.run(bundle: bundle, scoring: Scorer(bundle: bundle, split: .eval, quantiser: Quantiser(fitOf: bundle)), allocators: allocators, budget: 1, tasks: ["nope"], grid: [[1]])
        }
    }
}
