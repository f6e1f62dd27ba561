import Basics
import Benchmark
import FeatureData
import Foundation
import Inference
import MultiObjective

/// Scoring an NSGA-II-like stream of allocations incrementally on digits-pair's search split:
/// 64 random parents, then children that copy an earlier allocation and change 1–3 channels,
/// a few exact repeats. Cold cache at the start of every iteration. Needs
/// ../shared/data/digits-pair beside the repository; registers nothing without it.
func registerStreamBenchmarks() {
    let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let path = repository.deletingLastPathComponent().appendingPathComponent("shared/data/digits-pair").path
    guard FileManager.default.fileExists(atPath: path + "/bundle.json"), let bundle = try? FeatureBundle(directory: path) else {
        print("StreamBenchmarks: \(path) is absent, stream benchmarks skipped")
        return
    }
    let scorer = IncrementalScorer(bundle: bundle, split: .search, quantiser: Quantiser(fitOf: bundle))
    var rng = SeededRandom(seed: 2026)
    let channels = bundle.channels
    var stream: [[Int]] = (0..<64).map { _ in (0..<channels).map { _ in rng.nextInt(in: 0...8) } }
    while stream.count < 640 {
        var child = stream[rng.nextInt(in: 0...(stream.count - 1))]
        if rng.nextInt(in: 0...19) != 0 {
            for _ in 0..<rng.nextInt(in: 1...3) { child[rng.nextInt(in: 0...(channels - 1))] = rng.nextInt(in: 0...8) }
        }
        stream.append(child)
    }
    let allocations = stream

    Benchmark("score an NSGA-II-like stream of 640 allocations incrementally (digits-pair search, cold cache)",
              configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(20), maxIterations: 5)) { benchmark in
        for _ in benchmark.scaledIterations {
            scorer.clear()
            for bits in allocations { blackHole(scorer.score(bits: bits)) }
        }
    }
}
