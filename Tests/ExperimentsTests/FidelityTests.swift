import Basics
import FeatureData
import Foundation
import Importance
import Inference
import Testing
@testable import Experiments

@Suite("proxy fidelity")
struct FidelityTests {
    /// Average ranks (1-based, ties share the mean rank), written here apart from the library's.
    static func ranks(_ v: [Double]) -> [Double] {
        v.map { x in
            let below = Double(v.filter { $0 < x }.count), equal = Double(v.filter { $0 == x }.count)
            return below + (equal + 1) / 2
        }
    }

    /// Pearson's correlation of the ranks, by hand.
    static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        let rx = ranks(x), ry = ranks(y), n = Double(x.count)
        let mx = rx.reduce(0, +) / n, my = ry.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(rx, ry) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
        return sxy / (sxx * syy).squareRoot()
    }

    @Test("Spearman on a tiny case by hand: 1 − 6Σd²/(n(n²−1)) = 1 − 12/60 = 0.8")
    func tinyByHand() {
        #expect(abs(SpearmanCorrelation([1, 2, 3, 4], [1, 3, 2, 4])!.coefficient - 0.8) < 1e-12)
        #expect(abs(Self.spearman([1, 2, 3, 4], [1, 3, 2, 4]) - 0.8) < 1e-12)
    }

    @Test("mini: allocations within their budget, true losses from an independent Scorer, per-budget Spearman by hand, seeded")
    func miniRun() throws {
        let bundle = try FeatureBundle(directory: Paths.mini.path)
        let settings = ProxyFidelity.Settings(measures: [.l1, .random], budgets: [1, 3], allocationsPerBudget: 8, maxBits: 8, seed: 3)
        let result = try ProxyFidelity.run(bundle: bundle, settings: settings)
        #expect(result.samples.count == 16)
        // The true loss again, with the plain (non-incremental) scorer.
        let scorer = Scorer(bundle: bundle, split: .report, quantiser: Quantiser(fitOf: bundle))
        let clean = scorer.scoreClean().tasks.map(\.metric)
        for sample in result.samples {
            #expect(sample.bits.allSatisfy { (0...8).contains($0) })
            #expect(sample.bpe <= sample.budget + 1e-12)
            let metrics = scorer.score(bits: sample.bits).tasks.map(\.metric)
            let losses = zip(metrics, clean).map { m, c in min(1, max(0, 1 - m / c)) }
            // The run scores with the incremental scorer (fixed-point first layer), documented to
            // agree with `Scorer` within ~1e-6 dB of PSNR: a loss difference below 1e-7 at 30 dB.
            #expect(abs(sample.trueLoss - losses.reduce(0, +) / Double(losses.count)) < 1e-7)
        }
        for (k, measure) in result.measures.enumerated() {
            for (j, budget) in settings.budgets.enumerated() {
                let mine = result.samples.filter { $0.budget == budget }
                let expected = Self.spearman(mine.map { $0.objectives[k] }, mine.map(\.trueLoss))
                #expect(abs(measure.spearmanPerBudget[j]! - expected) < 1e-9, "\(measure.measure) at \(budget)")
            }
        }
        // Rate orders both sides, so over every budget at once the proxy must agree with the network.
        #expect(result.measures.allSatisfy { ($0.spearmanPooled ?? -1) > 0.5 })
        let again = try ProxyFidelity.run(bundle: bundle, settings: settings)
        #expect(again.samples.map(\.bits) == result.samples.map(\.bits))
    }

    @Test("a budget above max bits is an error naming the parameter")
    func badBudget() {
        #expect(throws: ParameterError.self) {
            try ProxyFidelity.Settings(measures: [.l1], budgets: [9], maxBits: 8).validated()
        }
    }
}
