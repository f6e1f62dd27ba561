import Allocation
import FeatureData
import Foundation
import Importance
import Inference
import Testing
@testable import Experiments

@Suite("sensitivity measure and ilp-sensitivity")
struct SensitivityTests {
    /// Metrics additive in the channels' depths, so every loss is known by hand:
    /// task 0: 0.9 − Σ_c 0.001·(c+1)·(16 − b_c); task 1: 30 − Σ_c 0.01·(16 − b_c)².
    final class AdditiveScorer: SensitivityProbeScoring {
        let taskNames = ["a", "b"]
        var scored = 0
        func metrics(_ batch: [[Int]]) -> [[Double]] {
            scored += batch.count
            return batch.map { bits in
                var a = 0.9, b = 30.0
                for (c, depth) in bits.enumerated() {
                    a -= 0.001 * Double(c + 1) * Double(16 - depth)
                    b -= 0.01 * Double((16 - depth) * (16 - depth))
                }
                return [a, b]
            }
        }
    }

    @Test("losses by hand from an additive scorer: 1 − metric/reference, one probe per channel and depth plus the reference")
    func lossesByHand() throws {
        let scorer = AdditiveScorer()
        let table = try SensitivityTable.measure(scorer: scorer, channels: 3, maxBits: 4)
        #expect(scorer.scored == 1 + 3 * 5)
        #expect(table.reference == [0.9, 30])
        for c in 0..<3 {
            for b in 0...4 {
                let a = 0.001 * Double(c + 1) * Double(16 - b) / 0.9
                let q = 0.01 * Double((16 - b) * (16 - b)) / 30
                #expect(abs(table.losses[0][c][b] - a) < 1e-12 && abs(table.losses[1][c][b] - q) < 1e-12, "c \(c) b \(b)")
            }
        }
        // Scores: the drop losses; costs: the mean over tasks (equal weights) of the losses.
        #expect(table.scores.scores[0] == [0, 1, 2].map { table.losses[0][$0][0] })
        let costs = table.costs(weights: [1, 1])
        #expect(abs(costs[2][3] - (table.losses[0][2][3] + table.losses[1][2][3]) / 2) < 1e-15)
        #expect(table.costs(weights: [1, 0])[1][0] == table.losses[0][1][0])
    }

    @Test("on the embedded bundle: the table's losses are the plain Scorer's on the same probes")
    func matchesPlainScorer() throws {
        let bundle = try FeatureBundle(directory: Paths.mini.path)
        let table = try SensitivityTable.measure(bundle: bundle, maxBits: 4)
        let scorer = Scorer(bundle: bundle, split: .fit, quantiser: Quantiser(fitOf: bundle))
        let clean = [Int](repeating: 16, count: bundle.channels)
        let reference = scorer.score(bits: clean).tasks.map(\.metric)
        let samples = Double(bundle.samples(.fit))
        for (c, b) in [(0, 0), (5, 1), (17, 2), (31, 4)] {
            var bits = clean
            bits[c] = b
            let metrics = scorer.score(bits: bits).tasks.map(\.metric)
            for t in bundle.tasks.indices {
                let expected = 1 - metrics[t] / reference[t]
                // Scorer (float sgemm) and IncrementalScorer (fixed point) differ by float rounding
                // of the first layer: an accuracy may flip one sample at a ~1e-6 logit margin.
                let tolerance = bundle.tasks[t].kind.metricName == "accuracy" ? 1.5 / samples / reference[t] : 1e-6
                #expect(abs(table.losses[t][c][b] - expected) <= tolerance, "task \(t) channel \(c) depth \(b)")
            }
        }
        // Dropping a channel loses more than keeping it at 4 bits, for the channels that matter.
        let recon = bundle.tasks.firstIndex { $0.name == "recon" }!
        #expect((0..<bundle.channels).filter { table.losses[recon][$0][0] > table.losses[recon][$0][4] }.count > bundle.channels / 2)
    }

    @Test("ilp-sensitivity: at each budget its measured cost is no more than any other method's allocation within that budget")
    func ilpSensitivityMinimisesCost() throws {
        let bundle = try FeatureBundle(directory: Paths.mini.path)
        let budgets = [0.5, 1, 2, 3]
        let settings = FrontSettings(methods: [.ilp(.sensitivity), .ilp(.l1), .ilp(.variance), .uniform, .select(.sensitivity)],
                                     budgets: budgets, maxBits: 4, seeds: [1])
        let result = try FrontRunner(bundle: bundle, settings: settings).run()
        let costs = try SensitivityTable.measure(bundle: bundle, maxBits: 4).costs(weights: [Double](repeating: 1, count: bundle.tasks.count))
        func cost(_ bits: [Int]) -> Double { bits.enumerated().reduce(0) { $0 + costs[$1.offset][$1.element] } }
        let mine = result.points.filter { $0.method == "ilp-sensitivity" }
        #expect(!mine.isEmpty)
        let others = result.points.filter { $0.method != "ilp-sensitivity" }
        for budget in budgets {
            guard let best = mine.filter({ $0.bpe <= budget + 1e-12 }).min(by: { cost($0.bits) < cost($1.bits) }) else { continue }
            for p in others where p.bpe <= budget + 1e-12 {
                #expect(cost(best.bits) <= cost(p.bits) + 1e-12, "budget \(budget): \(p.method) \(p.bits) costs less")
            }
        }
        #expect(result.methods.map(\.name).contains("select-sensitivity"))
    }
}
