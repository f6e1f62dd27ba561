import Basics
@testable import BenchmarkProblems
import Foundation
import Testing
@testable import MultiObjective

@Suite struct HypervolumeTests {
    /// One point: the box to the reference point.
    @Test(arguments: [1, 2, 3, 4, 5])
    func singleBox(dimension m: Int) {
        let p = (0..<m).map { 0.1 * Double($0 + 1) }
        let expected = p.reduce(1.0) { $0 * (1 - $1) }
        #expect(abs(Hypervolume.compute([p], reference: Array(repeating: 1, count: m)) - expected) < 1e-14)
    }

    /// 2-D staircase by hand: (1,3),(2,2),(3,1) with reference (4,4): 3·1 + 2·1 + 1·1 = 6.
    @Test func staircaseByHand() {
        #expect(Hypervolume.compute([[1, 3], [2, 2], [3, 1]], reference: [4, 4]) == 6)
        // A dominated point and a point outside the reference box add nothing.
        #expect(Hypervolume.compute([[1, 3], [2, 2], [3, 1], [3, 3], [5, 0]], reference: [4, 4]) == 6)
    }

    /// Random real point sets, 2–5 objectives, against inclusion–exclusion.
    @Test(arguments: [2, 3, 4, 5])
    func matchesInclusionExclusion(dimension m: Int) {
        var random = SeededRandom(seed: UInt64(200 + m))
        let reference = Array(repeating: 1.0, count: m)
        for _ in 0..<30 {
            let n = 1 + random.nextInt(below: 11)
            let points = randomUniformPoints(count: n, dimension: m, random: &random)
            let expected = inclusionExclusionHypervolume(points, reference: reference)
            let got = Hypervolume.compute(points, reference: reference)
            #expect(abs(got - expected) < 1e-12, "n \(n): \(got) vs \(expected)")
        }
    }

    /// Small integer point sets (many ties, duplicates) against counting dominated grid cells.
    @Test(arguments: [2, 3, 4, 5])
    func matchesGridCount(dimension m: Int) {
        var random = SeededRandom(seed: UInt64(300 + m))
        let side = m <= 3 ? 8 : 5
        for _ in 0..<15 {
            let n = 1 + random.nextInt(below: 25)
            var ints = (0..<n).map { _ in (0..<m).map { _ in random.nextInt(below: side) } }
            ints.append(ints[0])
            let expected = gridHypervolume(ints, reference: side, dimension: m)
            let got = Hypervolume.compute(ints.map { $0.map(Double.init) }, reference: Array(repeating: Double(side), count: m))
            #expect(got == Double(expected))
        }
    }

    /// Mutually non-dominated 3-D points (on the unit sphere) against WFG run one dimension up with
    /// a dummy objective: the 4-D volume with every 4th coordinate 0 and reference 1 equals the 3-D one.
    @Test func sweep3DMatchesWFGOnSphere() {
        var random = SeededRandom(seed: 5)
        let points = (0..<200).map { _ -> [Double] in
            let v = (0..<3).map { _ in abs(random.nextNormal()) }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
        let hv3 = Hypervolume.compute(points, reference: [1.1, 1.1, 1.1])
        let hv4 = Hypervolume.compute(points.map { $0 + [0] }, reference: [1.1, 1.1, 1.1, 1])
        #expect(abs(hv3 - hv4) < 1e-12)
        // The sphere octant bounds it: less than 1.1³ − π/6 (the full front's value, 0.80740).
        #expect(hv3 < 1.1 * 1.1 * 1.1 - Double.pi / 6)
    }

    /// True fronts, sampled densely: ZDT1 ∫(0.1 + √f1) + 0.1·1.1 = 0.87667 (0.876667),
    /// ZDT2 0.1 + 1/3 + 0.11 = 0.54333 (closed forms, also in shared/peers/nsga2_peers.md).
    @Test func trueFrontHypervolume() {
        let f = linspace(0, 1, 100_001)
        let zdt1 = Hypervolume.compute(f.map { [$0, 1 - $0.squareRoot()] }, reference: [1.1, 1.1])
        let zdt2 = Hypervolume.compute(f.map { [$0, 1 - $0 * $0] }, reference: [1.1, 1.1])
        #expect(abs(zdt1 - (0.1 + 2.0 / 3.0 + 0.11)) < 1e-5)
        #expect(abs(zdt1 - 0.87667) < 1e-5)
        #expect(abs(zdt2 - (0.1 + 1.0 / 3.0 + 0.11)) < 1e-5)
        // The problem's own 1000-point sample misses at most one rectangle Δf1·Δf2 per gap, in
        // total ≤ Δf1 · (f2 range) = 1/999.
        let sampled = Hypervolume.compute(try! TestProblems.make("zdt1").trueFront(), reference: [1.1, 1.1])
        #expect(sampled < 0.1 + 2.0 / 3.0 + 0.11 && sampled > 0.1 + 2.0 / 3.0 + 0.11 - 1.0 / 999)
    }

    /// IGD and GD by hand: front {(0,1)} against reference {(0,1),(1,0)}: IGD = (0 + √2)/2, GD = 0.
    @Test func distanceIndicatorsByHand() {
        let front: [[Double]] = [[0, 1]], reference: [[Double]] = [[0, 1], [1, 0]]
        #expect(abs(DistanceIndicators.invertedGenerationalDistance(front, reference: reference) - 2.0.squareRoot() / 2) < 1e-15)
        #expect(DistanceIndicators.generationalDistance(front, reference: reference) == 0)
    }
}

@Suite struct HypervolumeWorkTests {
    /// 150 mutually non-dominated points on the 7-D unit sphere.
    static func spherePoints(_ count: Int, _ m: Int, seed: UInt64) -> [[Double]] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let v = (0..<m).map { _ in abs(random.nextNormal()) }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
    }

    /// Within the limit the bounded entry gives the unbounded value bit for bit; past it, the
    /// error names the limit and the size of the input, and comes back quickly.
    @Test func workLimitStopsWithAClearError() throws {
        let points = Self.spherePoints(40, 5, seed: 3)
        let reference = [Double](repeating: 1.1, count: 5)
        #expect(try Hypervolume.compute(points, reference: reference, workLimit: Hypervolume.defaultWorkLimit)
                == Hypervolume.compute(points, reference: reference))
        let big = Self.spherePoints(150, 7, seed: 4)
        let start = DispatchTime.now().uptimeNanoseconds
        #expect(throws: HypervolumeError.workLimitExceeded(limit: 100_000, points: 150, objectives: 7)) {
            try Hypervolume.compute(big, reference: [Double](repeating: 1.1, count: 7), workLimit: 100_000)
        }
        #expect(DispatchTime.now().uptimeNanoseconds - start < 1_000_000_000)
        #expect("\(HypervolumeError.workLimitExceeded(limit: 5, points: 150, objectives: 7))".contains("150 points in 7 objectives"))
    }

    /// The Monte Carlo fallback lands within four standard errors of the exact value, and the
    /// same seed gives the same estimate.
    @Test func estimateIsWithinItsStandardError() {
        let points = Self.spherePoints(60, 4, seed: 5)
        let reference = [Double](repeating: 1.1, count: 4)
        let exact = Hypervolume.compute(points, reference: reference)
        let (value, error) = HypervolumeEstimate.estimate(points, reference: reference, samples: 200_000, seed: 1)
        #expect(abs(value - exact) < 4 * error && error > 0 && error < 0.01 * exact, "\(value) ± \(error) vs \(exact)")
        #expect(HypervolumeEstimate.estimate(points, reference: reference, samples: 1000, seed: 9)
                == HypervolumeEstimate.estimate(points, reference: reference, samples: 1000, seed: 9))
    }
}
