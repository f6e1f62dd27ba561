import Benchmark
import Importance
import BenchmarkData

/// The hot paths of the Importance target: pooled MI (Ross k-NN, 1-D, sorted) and patch MI
/// (brute-force max-norm k-NN on patch vectors, several targets sharing the searches).
func registerImportanceBenchmarks() {
    // Pooled: 10 000 samples × 64 features, 10 classes (the --quick shape of compare-peers mi).
    let (n, d) = (10_000, 64)
    let (x, y) = syntheticClassFeatures(samples: n, features: d, seed: 7)
    let labels = DiscreteLabels(y)
    Benchmark("Importance: pooled MI 10000x64, 10 classes, k=3") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try PooledMI.estimate(values: x, samples: n, features: d, targets: [labels], neighbours: 3, seed: 0))
        }
    }

    // Patch: 2000 samples × 8 channels × 4×8 maps (post-ReLU), 3 class targets, whole-map patches.
    let (pn, pc, ph, pw) = (2000, 8, 4, 8)
    let data = SyntheticDigitsPair(samples: pn, channels: pc, height: ph, width: pw, seed: 8)
    let (left, right, sum, features) = (data.left, data.right, data.sumAtLeastTen, data.features)
    let targets: [PatchTarget] = [.perSample(DiscreteLabels(left)), .perSample(DiscreteLabels(right)), .perSample(DiscreteLabels(sum))]
    Benchmark("Importance: patch MI 2000x8x4x8, 3 targets") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try PatchMI.estimate(features: features, samples: pn, channels: pc, height: ph, width: pw,
                                           patch: PatchSize(height: 4, width: 8), targets: targets, seed: 0))
        }
    }
}
