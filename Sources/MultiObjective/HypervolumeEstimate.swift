import Basics
import Foundation

/// A Monte Carlo estimate of the hypervolume, for when the exact value is too expensive (many
/// objectives, many points: `Hypervolume.compute(_:reference:workLimit:)` throws) and the caller
/// accepts a sampled figure. Uniform samples in the box between the points' ideal corner and the
/// reference point; the estimate is the box volume times the fraction of samples some point
/// dominates, with its standard error. Deterministic for a seed. Cost: samples × points ×
/// objectives comparisons at most.
public enum HypervolumeEstimate {
    public static func estimate(_ points: [[Double]], reference: [Double], samples: Int, seed: UInt64)
        -> (value: Double, standardError: Double) {
        let m = reference.count
        let inside = points.filter { p in p.count == m && zip(p, reference).allSatisfy { $0 < $1 } }
        guard let first = inside.first, samples > 0 else { return (0, 0) }
        var low = first
        for p in inside { for j in 0..<m { low[j] = min(low[j], p[j]) } }
        var box = 1.0
        for j in 0..<m { box *= reference[j] - low[j] }
        let flat = inside.flatMap { $0 }
        var random = SeededRandom(seed: seed)
        var sample = [Double](repeating: 0, count: m)
        var hits = 0
        flat.withUnsafeBufferPointer { f in
            for _ in 0..<samples {
                for j in 0..<m { sample[j] = low[j] + random.nextUnit() * (reference[j] - low[j]) }
                for i in 0..<inside.count {
                    var dominated = true
                    for j in 0..<m where f[i * m + j] > sample[j] { dominated = false; break }
                    if dominated { hits += 1; break }
                }
            }
        }
        let fraction = Double(hits) / Double(samples)
        return (box * fraction, box * (fraction * (1 - fraction) / Double(samples)).squareRoot())
    }
}
