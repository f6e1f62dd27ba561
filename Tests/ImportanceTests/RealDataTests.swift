import Foundation
import Testing
@testable import Importance

/// Pooled MI on the real bundles against `mi_reference.json` (scikit-learn's `mutual_info_classif`,
/// k = 3, of each channel's spatial mean against the task's outputs on the fit split).
@Suite("Pooled MI on digits-pair vs scikit-learn")
struct RealDataTests {
    static let tasks = ["left", "right", "sum_ge_10"]

    func check(bundle: URL) throws {
        let features = try TestNpy(bundle.appendingPathComponent("fit/features.npy"))
        let (n, c, h, w) = (features.shape[0], features.shape[1], features.shape[2], features.shape[3])
        var means = [Double](repeating: 0, count: n * c)
        for s in 0..<n {
            for ch in 0..<c {
                var sum = 0.0
                let base = (s * c + ch) * h * w
                for e in 0..<(h * w) { sum += Double(features.floats[base + e]) }
                means[s * c + ch] = sum / Double(h * w)
            }
        }
        let targets = try Self.tasks.map { task in
            DiscreteLabels(try TestNpy(bundle.appendingPathComponent("fit/outputs_\(task).npy")).ints)
        }
        let scores = try PooledMI.estimate(values: means, samples: n, features: c, targets: targets, neighbours: 3, seed: 0)
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: bundle.appendingPathComponent("mi_reference.json"))) as! [String: Any]
        for (t, task) in Self.tasks.enumerated() {
            let expected = reference[task] as! [Double]
            let ours = scores[t].map(\.nats)
            let mae = zip(ours, expected).map { abs($0 - $1) }.reduce(0, +) / Double(c)
            let rho = spearman(ours, expected)
            print("\(bundle.lastPathComponent) \(task): Spearman \(rho), MAE \(mae) nats, max |diff| \(zip(ours, expected).map { abs($0 - $1) }.max()!)")
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
