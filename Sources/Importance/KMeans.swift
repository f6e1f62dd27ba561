import Basics
import Foundation

/// k-means (squared Euclidean) with k-means++ seeding and Lloyd iterations, deterministic for a
/// seed. Used to turn dense task outputs (segmentation maps, reconstructions, or their patches)
/// into a few discrete symbols that a continuous–discrete MI estimator can use.
///
/// Seeding is the greedy k-means++ of Arthur & Vassilvitskii as scikit-learn runs it: each new
/// centre is the best (lowest total cost) of `2 + ⌊ln K⌋` candidates drawn with probability
/// proportional to the squared distance to the nearest chosen centre. Lloyd iterations stop when
/// no assignment changes or after `maxIterations`. An empty cluster keeps its previous centre.
/// Ties in assignment go to the lowest cluster index.
public struct KMeans: Sendable {
    public let clusters: Int
    public let dimensions: Int
    /// centres[c * dimensions + d]
    public let centres: [Double]
    public let assignments: [Int32]
    /// Σ squared distance of each point to its centre.
    public let inertia: Double
    public let iterations: Int
    public let converged: Bool

    /// - Parameter points: row-major `[N × dimensions]`, N ≥ 1, finite (callers validate user
    ///   data first: `OutputClustering` does).
    /// - Parameter progress: the fraction done: seeding counts for half, then each Lloyd
    ///   iteration for 1/maxIterations of the rest (most runs converge well before the last).
    public init(points: [Double], dimensions: Int, clusters requested: Int, seed: UInt64, stream: UInt64 = 0, maxIterations: Int = 100,
                progress: ((Double) -> Void)? = nil) {
        precondition(dimensions >= 1 && points.count % dimensions == 0)
        let n = points.count / dimensions
        precondition(n >= 1 && requested >= 1)
        let k = min(requested, n)
        var random = SeededRandom(seed: seed, stream: stream)
        let dim = dimensions
        var centres = [Double](repeating: 0, count: k * dim)
        var assign = [Int32](repeating: 0, count: n)
        var iterations = 0
        var converged = false
        var inertia = 0.0
        points.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            @inline(__always) func squared(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
                var s = 0.0
                for d in 0..<dim { let t = a[d] - b[d]; s += t * t }
                return s
            }
            // k-means++ (greedy).
            let trials = 2 + Int(log(Double(k)))
            var closest = [Double](repeating: 0, count: n)
            let first = random.nextInt(below: n)
            for d in 0..<dim { centres[d] = p[first * dim + d] }
            var potential = 0.0
            for j in 0..<n { closest[j] = squared(p + j * dim, p + first * dim); potential += closest[j] }
            var candidateClosest = [Double](repeating: 0, count: n)
            var bestClosest = [Double](repeating: 0, count: n)
            for c in 1..<max(k, 1) {
                var bestCandidate = -1
                var bestPotential = Double.infinity
                for _ in 0..<trials {
                    // Draw j with probability closest[j] / potential (uniformly when all are 0).
                    var candidate = 0
                    if potential > 0 {
                        let target = random.nextUnit() * potential
                        var acc = 0.0
                        candidate = n - 1
                        for j in 0..<n {
                            acc += closest[j]
                            if acc > target { candidate = j; break }
                        }
                    } else {
                        candidate = random.nextInt(below: n)
                    }
                    var pot = 0.0
                    for j in 0..<n {
                        let v = min(closest[j], squared(p + j * dim, p + candidate * dim))
                        candidateClosest[j] = v
                        pot += v
                    }
                    if pot < bestPotential {
                        bestPotential = pot
                        bestCandidate = candidate
                        swap(&candidateClosest, &bestClosest)
                    }
                }
                for d in 0..<dim { centres[c * dim + d] = p[bestCandidate * dim + d] }
                swap(&closest, &bestClosest)
                potential = bestPotential
                progress?(0.5 * Double(c + 1) / Double(k))
            }
            // Lloyd.
            var sums = [Double](repeating: 0, count: k * dim)
            var sizes = [Int](repeating: 0, count: k)
            for iteration in 0...maxIterations {
                var changed = 0
                inertia = 0
                centres.withUnsafeBufferPointer { cb in
                    let cp = cb.baseAddress!
                    for j in 0..<n {
                        var best = 0
                        var bestD = Double.infinity
                        for c in 0..<k {
                            let dd = squared(p + j * dim, cp + c * dim)
                            if dd < bestD { bestD = dd; best = c }
                        }
                        if assign[j] != Int32(best) || iteration == 0 { changed += 1 }
                        assign[j] = Int32(best)
                        inertia += bestD
                    }
                }
                iterations = iteration
                progress?(0.5 + 0.5 * Double(iteration + 1) / Double(maxIterations + 1))
                if changed == 0 { converged = true; break }
                if iteration == maxIterations { break }
                for i in 0..<sums.count { sums[i] = 0 }
                for c in 0..<k { sizes[c] = 0 }
                for j in 0..<n {
                    let c = Int(assign[j])
                    sizes[c] += 1
                    for d in 0..<dim { sums[c * dim + d] += p[j * dim + d] }
                }
                for c in 0..<k where sizes[c] > 0 {
                    for d in 0..<dim { centres[c * dim + d] = sums[c * dim + d] / Double(sizes[c]) }
                }
            }
        }
        self.clusters = k
        self.dimensions = dim
        self.centres = centres
        self.assignments = assign
        self.inertia = inertia
        self.iterations = iterations
        self.converged = converged
    }
}
