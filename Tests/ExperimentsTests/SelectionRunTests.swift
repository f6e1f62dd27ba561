import FeatureData
import Foundation
import Importance
import Inference
import Testing
@testable import Experiments

@Suite("hard selection")
struct SelectionRunTests {
    @Test("k = C keeps every channel: each curve ends at reference.json's clean eval metrics")
    func allChannelsIsClean() throws {
        let bundle = try FeatureBundle(directory: Paths.mini.path)
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: Paths.mini.appendingPathComponent("reference.json"))) as! [String: Any]
        let clean = reference["clean"] as! [String: [String: [String: Any]]]
        let scores = try [ImportanceMeasure.l1, .random].map { try ImportanceCalculator.scores(bundle: bundle, options: ImportanceOptions(measure: $0)) }
        let result = try SelectionRun.run(bundle: bundle, scoring: Scorer(bundle: bundle, split: .eval, quantiser: Quantiser(fitOf: bundle)), scores: scores, weights: [1, 1, 1, 1])
        #expect(result.curves.count == 2 * 5)
        for (t, task) in result.taskNames.enumerated() {
            let metric = result.metricNames[t]
            let expected = clean[task]!["eval"]![metric] as! Double
            if metric == "psnr" { #expect(abs(result.clean[t] - expected) < 1e-3) } else { #expect(result.clean[t] == expected, "\(task)") }
            for curve in result.curves {
                #expect(curve.k == Array(1...32))
                let last = curve.metrics[t].last!
                if metric == "psnr" { #expect(abs(last - expected) < 1e-3) } else { #expect(last == expected, "\(curve.measure) \(curve.ranking) \(task)") }
            }
        }
        // The `all` curve is relative: 1 at k = C.
        for curve in result.curves where curve.ranking == "all" { #expect(abs(curve.metric.last! - 1) < 1e-12) }
    }

    @Test("the kept set follows the ranking; area is the mean of metric/clean")
    func keptSetAndArea() throws {
        let bundle = try FeatureBundle(directory: Paths.mini.path)
        // Channel c scores c for `left`: the top k are 31, 30, …
        let rows = (0..<4).map { t in (0..<32).map { t == 0 ? Double($0) : Double(32 - $0) } }
        let scores = ImportanceScores(measure: .l1, estimator: nil, taskNames: bundle.tasks.map(\.name), scores: rows)
        let result = try SelectionRun.run(bundle: bundle, scoring: Scorer(bundle: bundle, split: .search, quantiser: Quantiser(fitOf: bundle)), scores: [scores], weights: [1, 0, 0, 0])
        let left = result.curves.first { $0.ranking == "left" }!
        #expect(left.order == Array((0..<32).reversed()))
        #expect(result.curves.first { $0.ranking == "right" }!.order == Array(0..<32))
        // Weights (1, 0, 0, 0): the combined ranking is left's.
        #expect(result.curves.first { $0.ranking == "all" }!.order == left.order)
        let expectedArea = left.metric.map { $0 / result.clean[0] }.reduce(0, +) / 32
        #expect(abs(left.area - expectedArea) < 1e-12)
        #expect(ChannelRanking.order([1, 3, 3, 0]) == [1, 2, 0, 3])
    }
}
