import Basics
import Benchmark
import FeatureData
import Foundation
import Inference
import MultiObjective

/// Scoring one allocation on digits-pair eval (quantise + 4 heads + 4 metrics), and loading the
/// bundle. Needs ../shared/data/digits-pair beside the repository; registers nothing without it.
func registerEvalBenchmarks() {
    let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let path = repository.deletingLastPathComponent().appendingPathComponent("shared/data/digits-pair").path
    guard FileManager.default.fileExists(atPath: path + "/bundle.json") else {
        print("EvalBenchmarks: \(path) is absent, eval benchmarks skipped")
        return
    }

    Benchmark("load digits-pair bundle", configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try FeatureBundle(directory: path))
        }
    }

    // Set up once at registration (loading and the fit statistics are not what is measured).
    guard let bundle = try? FeatureBundle(directory: path) else {
        print("EvalBenchmarks: \(path) does not load, eval benchmarks skipped")
        return
    }
    let scorer = Scorer(bundle: bundle, split: .eval, quantiser: Quantiser(stats: ChannelStats(features: bundle.features[.fit]!)))

    Benchmark("score one allocation (digits-pair eval)", configuration: .init(metrics: [.wallClock], maxIterations: 50)) { benchmark in
        // Random depths 0…8, seeded: the same vectors every run.
        var rng = SeededRandom(seed: 2026)
        let vectors = (0..<16).map { _ in (0..<bundle.channels).map { _ in rng.nextInt(in: 0...8) } }
        var round = 0
        for _ in benchmark.scaledIterations {
            blackHole(scorer.score(bits: vectors[round % vectors.count]))
            round += 1
        }
    }
}
