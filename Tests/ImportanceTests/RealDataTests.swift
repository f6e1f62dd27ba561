import FeatureData
import Foundation
import Testing
@testable import Importance

/// Pooled MI on the real bundles, loaded with FeatureData and computed through
/// `ImportanceCalculator` (as `mipareto importance --measure mi` does), against
/// `mi_reference.json` (scikit-learn's `mutual_info_classif`, k = 3, of each channel's spatial mean
/// against the task's outputs on the fit split).
@Suite("Pooled MI on digits-pair vs scikit-learn")
struct RealDataTests {
    static let tasks = ["left", "right", "sum_ge_10"]

    func check(bundle url: URL) throws {
        let bundle = try FeatureBundle(directory: url.path)
        let scores = try ImportanceCalculator.scores(bundle: bundle, options: ImportanceOptions(measure: .mi))
        #expect(scores.estimator == .pooled)
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("mi_reference.json"))) as! [String: Any]
        for task in Self.tasks {
            let expected = reference[task] as! [Double]
            let index = try #require(scores.taskNames.firstIndex(of: task))
            let ours = scores.scores[index]
            let c = expected.count
            let mae = zip(ours, expected).map { abs($0 - $1) }.reduce(0, +) / Double(c)
            let rho = spearman(ours, expected)
            print("\(url.lastPathComponent) \(task): Spearman \(rho), MAE \(mae) nats, max |diff| \(zip(ours, expected).map { abs($0 - $1) }.max()!)")
            #expect(rho >= 0.95, "\(task): Spearman \(rho)")
            #expect(mae <= 0.01, "\(task): MAE \(mae)")
        }
    }

    @Test func digitsPairMini() throws {
        try check(bundle: Paths.mini)
    }

    @Test func digitsPairFull() throws {
        guard FileManager.default.fileExists(atPath: Paths.full.appendingPathComponent("mi_reference.json").path) else {
            print("skipped digitsPairFull: \(Paths.full.path) not found (../shared is absent)")
            return
        }
        try check(bundle: Paths.full)
    }
}
