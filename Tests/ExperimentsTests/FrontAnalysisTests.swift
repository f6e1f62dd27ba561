import Testing
@testable import Experiments

@Suite struct FrontAnalysisTests {
    typealias P = FrontAnalysis.Point

    /// Brute force: a point is non-dominated when no other point is at least as good everywhere
    /// and strictly better somewhere (bpe lower, metrics higher).
    static func bruteForce(_ points: [P]) -> [Bool] {
        points.indices.map { i in
            !points.indices.contains { j in
                let a = points[j], b = points[i]
                let noWorse = a.bpe <= b.bpe && zip(a.metrics, b.metrics).allSatisfy { $0 >= $1 }
                let better = a.bpe < b.bpe || zip(a.metrics, b.metrics).contains { $0 > $1 }
                return j != i && noWorse && better
            }
        }
    }

    @Test func nondominatedMatchesBruteForceWithTies() {
        var state: UInt64 = 12345
        func next(_ n: Int) -> Double {  // a tiny LCG so ties (small ranges) are frequent
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double((state >> 33) % UInt64(n))
        }
        for _ in 0..<200 {
            let count = 1 + Int(next(25))
            let points = (0..<count).map { _ in P(bpe: next(6) / 4, metrics: [next(5) / 4, next(5) / 4]) }
            #expect(FrontAnalysis.nondominated(points) == Self.bruteForce(points))
        }
    }

    /// Hand computation: maxBits 8, clean (1, 20). Point A: bpe 2, metrics (0.5, 15) → objectives
    /// (0.25, 0.5, 0.25): box volume 0.75·0.5·0.75 = 0.28125. Point B: bpe 4, metrics (0.9, 20) →
    /// (0.5, 0.1, 0): 0.5·0.9·1 = 0.45. Overlap: (1−0.5)·(1−0.5)·(1−0.25) = 0.1875.
    /// Union = 0.28125 + 0.45 − 0.1875 = 0.54375.
    @Test func hypervolumeByHand() {
        let points = [P(bpe: 2, metrics: [0.5, 15]), P(bpe: 4, metrics: [0.9, 20])]
        #expect(abs(FrontAnalysis.hypervolume(points, clean: [1, 20], maxBits: 8) - 0.54375) < 1e-12)
    }

    /// A metric above clean clips to loss 0; far below clean clips to 1 (adds no volume).
    @Test func lossesAreClipped() {
        let v = FrontAnalysis.normalisedObjectives(P(bpe: 8, metrics: [1.2, -5]), clean: [1, 20], maxBits: 8)
        #expect(v == [1, 0, 1])
    }

    @Test func sampleStandardDeviation() {
        let (m, sd) = FrontAnalysis.meanAndSD([1, 2, 3, 4])
        #expect(m == 2.5)
        #expect(abs(sd - (5.0 / 3.0).squareRoot()) < 1e-15)  // Σ(x−m)² = 5, n − 1 = 3
        #expect(FrontAnalysis.meanAndSD([7]).sd == 0)
    }

    /// Six seeds all favouring the reference: SciPy's exact two-sided p = 2/64.
    @Test func comparisonOverSeeds() {
        let c = FrontAnalysis.compare(reference: [0.8, 0.81, 0.79, 0.82, 0.80, 0.83], other: [0.7, 0.75, 0.76, 0.72, 0.74, 0.71])
        #expect(c.wilcoxonP == 0.03125)
        #expect(c.seeds == 6)
        #expect(FrontAnalysis.compare(reference: [1, 1], other: [1, 1]).wilcoxonP == nil)
    }
}
