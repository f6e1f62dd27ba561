import Basics
import MultiObjective

/// Synthetic features shaped like digits-pair's split layer: two digit labels per sample, the left
/// half of every map carrying the left digit and the right half the right one, post-ReLU (about a
/// fifth exact zeros), plus the `sum ≥ 10` label. Shared by the package benchmarks and compare-peers
/// so both time the same kind of data.
public struct SyntheticDigitsPair {
    public let samples: Int, channels: Int, height: Int, width: Int
    public let left: [Int], right: [Int], sumAtLeastTen: [Int]
    /// `[samples, channels, height, width]`, C order.
    public let features: [Float]
    /// The generator after the draws above, for callers that derive more data from the same stream.
    public var random: SeededRandom

    public init(samples n: Int, channels c: Int, height h: Int, width w: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let left = (0..<n).map { _ in random.nextInt(below: 10) }
        let right = (0..<n).map { _ in random.nextInt(below: 10) }
        var features = [Float](repeating: 0, count: n * c * h * w)
        for s in 0..<n {
            for ch in 0..<c {
                for e in 0..<(h * w) {
                    let signal = e % w < w / 2 ? Double(left[s]) : Double(right[s])
                    features[(s * c + ch) * h * w + e] = Float(max(0, 0.15 * Double(ch % 5) * signal - 0.8 + random.nextNormal()))
                }
            }
        }
        (samples, channels, height, width) = (n, c, h, w)
        self.left = left
        self.right = right
        sumAtLeastTen = (0..<n).map { left[$0] + right[$0] >= 10 ? 1 : 0 }
        self.features = features
        self.random = random
    }
}

/// Continuous features with class-dependent means (10 classes; feature j's signal scaled by 0.3·(j mod 4),
/// so a quarter are pure noise): the quick pooled-MI workload, `[samples, features]` row-major.
public func syntheticClassFeatures(samples n: Int, features d: Int, seed: UInt64) -> (values: [Double], labels: [Int]) {
    var random = SeededRandom(seed: seed)
    let y = (0..<n).map { _ in random.nextInt(below: 10) }
    let mu = (0..<(10 * d)).map { _ in random.nextNormal() }
    var x = [Double](repeating: 0, count: n * d)
    for s in 0..<n { for j in 0..<d { x[s * d + j] = mu[y[s] * d + j] * Double(j % 4) * 0.3 + random.nextNormal() } }
    return (x, y)
}
