import Basics
import Testing
@testable import Importance

/// The k-d tree searches against brute force over every point: the same m-th smallest distance
/// and the same count within a radius, bit for bit, including ties (exact duplicates, post-ReLU
/// zeros) and radii that equal a distance exactly (the boundary the pruning must not lose).
@Suite("Max-norm k-d tree")
struct MaxNormTreeTests {
    /// Post-ReLU-like points on a coarse grid: many exact zeros and many exactly tied coordinates.
    static func tiedPoints(_ n: Int, dimensions: Int, seed: UInt64) -> MaxNormPoints<Float> {
        var random = SeededRandom(seed: seed)
        let values = (0..<(n * dimensions)).map { _ in Float(max(0, (random.nextNormal() * 4).rounded()) / 4) }
        return MaxNormPoints(rowMajor: values, dimensions: dimensions)
    }

    static func bruteDistances(_ points: MaxNormPoints<Float>, from x: [Float], members: [Int32]) -> [Float] {
        members.map { j in
            var d: Float = 0
            for q in 0..<points.dimensions { d = max(d, abs(points.coordinates[q * points.count + Int(j)] - x[q])) }
            return d
        }
    }

    @Test(arguments: [1, 2, 4, 5, 8])
    func searchesMatchBruteForce(dimensions: Int) {
        // Sizes around a leaf (64) and a level boundary, and one of many levels.
        for (n, seed) in [(1, 1), (63, 2), (64, 3), (65, 4), (129, 6), (1500, 5)] as [(Int, UInt64)] {
            let points = Self.tiedPoints(n, dimensions: dimensions, seed: seed)
            // Every other point, so the tree's indices are a real subset.
            let members = (0..<Int32(n)).filter { $0 % 2 == 0 || n < 100 }
            let tree = members.withUnsafeBufferPointer { MaxNormTree(points: points, members: $0) }
            let search = tree.search
            let scratch = MaxNormTree.Scratch(best: 12)
            var random = SeededRandom(seed: seed + 100)
            for i in 0..<min(n, 120) {
                // Queries: the points themselves (a tree member or not) and points off the grid.
                var x = (0..<dimensions).map { points.coordinates[$0 * n + i] }
                if i % 3 == 2 { x = x.map { $0 + Float(random.nextNormal()) * 0.3 } }
                let sorted = Self.bruteDistances(points, from: x, members: members).sorted()
                for m in [1, 2, 4, 8, 11] where m <= members.count {
                    let got = search.smallest(m, from: x, scratch: scratch)
                    #expect(got == sorted[m - 1], "n \(n) D \(dimensions) query \(i) m \(m)")
                }
                // Radii on the boundary (a distance itself), just below it, 0, beyond all and
                // −∞ (none), all counted in one traversal.
                let radii: [Float] = [sorted[sorted.count / 3], sorted[sorted.count / 3].nextDown, sorted[0], 0, sorted.last! * 2 + 1, -.infinity]
                var counts = [Int](repeating: 0, count: radii.count)
                search.countWithin(x, radii: radii, targets: radii.count, counts: &counts, scratch: scratch)
                #expect(counts == radii.map { r in sorted.filter { $0 <= r }.count }, "n \(n) D \(dimensions) query \(i)")
            }
            withExtendedLifetime(tree) {}
        }
    }

    /// The estimator through the trees gives the brute-force rows' bits for every target, with
    /// exact ties (no tie-breaking noise), a class of one sample (left out) and several k.
    @Test(arguments: [1, 3, 4, 8])
    func estimatorMatchesBruteForce(dimensions: Int) {
        let n = 2500
        let points = Self.tiedPoints(n, dimensions: dimensions, seed: UInt64(dimensions))
        var random = SeededRandom(seed: 77)
        var y1 = (0..<n).map { _ in random.nextInt(below: 5) }
        y1[17] = 5  // a single-member class
        let y2 = (0..<n).map { s in (s * 7 + random.nextInt(below: 2)) % 3 }
        let digamma = DigammaTable(limit: n + 1)
        for k in [1, 3, 7] {
            let targets = [ClassIndex(DiscreteLabels(y1), neighbours: k), ClassIndex(DiscreteLabels(y2), neighbours: k)]
            var row = [Float](repeating: 0, count: n)
            let brute = MultivariateDiscreteMI.estimate(points: points, targets: targets, digamma: digamma, row: &row)
            let trees = MultivariateDiscreteMI.treeEstimate(points: points, targets: targets, digamma: digamma)
            #expect(trees == brute, "D \(dimensions) k \(k)")
            // What patch MI calls: at 2500 ≥ treeSamples samples it takes the trees.
            #expect(n >= MultivariateDiscreteMI.treeSamples)
            #expect(MultivariateDiscreteMI.estimate(points: points, targets: targets, digamma: digamma) == brute)
            #expect(brute.allSatisfy { $0.isFinite })
        }
    }
}
