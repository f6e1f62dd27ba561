import Allocation
import Benchmark
import FeatureData
import Foundation
import Importance

/// The hot paths of `allocate` and of `front`'s budget sweeps on the committed mini bundle:
/// the distortion table (computed once per run), and 33 budget-form solves reusing it.
func registerAllocatorBenchmarks() {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    guard let bundle = try? FeatureBundle(directory: repository.appendingPathComponent("examples/data/digits-pair-mini").path) else { return }
    Benchmark("DistortionTable digits-pair-mini B=8") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(DistortionTable(fitOf: bundle, maxBits: 8))
        }
    }
    guard let allocator = try? Allocator(bundle: bundle, importance: ImportanceOptions(measure: .variance), maxBits: 8) else { return }
    Benchmark("Allocator budget sweep 0:0.25:8 (mini, variance, exact)") { benchmark in
        for _ in benchmark.scaledIterations {
            for step in 0...32 { blackHole(try? allocator.allocate(budget: Double(step) * 0.25)) }
        }
    }
}
