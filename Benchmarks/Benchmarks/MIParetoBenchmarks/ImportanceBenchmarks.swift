import Benchmark
import Importance
import MultiObjective

/// The hot paths of the Importance target: pooled MI (Ross k-NN, 1-D, sorted) and patch MI
/// (brute-force max-norm k-NN on patch vectors, several targets sharing the searches).
func registerImportanceBenchmarks() {
    // Pooled: 10 000 samples × 64 features, 10 classes (the --quick shape of compare-peers mi).
    let (n, d) = (10_000, 64)
    var random = SeededRandom(seed: 7)
    let y = (0..<n).map { _ in random.nextInt(below: 10) }
    let mu = (0..<(10 * d)).map { _ in random.nextNormal() }
    var x = [Double](repeating: 0, count: n * d)
    for s in 0..<n { for j in 0..<d { x[s * d + j] = mu[y[s] * d + j] * Double(j % 4) * 0.3 + random.nextNormal() } }
    let labels = DiscreteLabels(y)
    Benchmark("Importance: pooled MI 10000x64, 10 classes, k=3") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try PooledMI.estimate(values: x, samples: n, features: d, targets: [labels], neighbours: 3, seed: 0))
        }
    }

    // Patch: 2000 samples × 8 channels × 4×8 maps (post-ReLU), 3 class targets, whole-map patches.
    let (pn, pc, ph, pw) = (2000, 8, 4, 8)
    let left = (0..<pn).map { _ in random.nextInt(below: 10) }
    let right = (0..<pn).map { _ in random.nextInt(below: 10) }
    let sum = (0..<pn).map { left[$0] + right[$0] >= 10 ? 1 : 0 }
    var features = [Float](repeating: 0, count: pn * pc * ph * pw)
    for s in 0..<pn {
        for c in 0..<pc {
            for e in 0..<(ph * pw) {
                let signal = e % pw < pw / 2 ? Double(left[s]) : Double(right[s])
                features[(s * pc + c) * ph * pw + e] = Float(max(0, 0.15 * Double(c % 5) * signal - 0.8 + random.nextNormal()))
            }
        }
    }
    let targets: [PatchTarget] = [.perSample(DiscreteLabels(left)), .perSample(DiscreteLabels(right)), .perSample(DiscreteLabels(sum))]
    Benchmark("Importance: patch MI 2000x8x4x8, 3 targets") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try PatchMI.estimate(features: features, samples: pn, channels: pc, height: ph, width: pw,
                                           patch: PatchSize(height: 4, width: 8), targets: targets, seed: 0))
        }
    }
}
