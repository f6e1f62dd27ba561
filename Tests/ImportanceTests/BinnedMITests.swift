import Basics
import Foundation
import MultiObjective
import Testing
@testable import Importance

@Suite("Binned MI (equal frequency, Miller–Madow)")
struct BinnedMITests {
    /// Hand computation: 8 samples, 2 bins that coincide with the 2 classes. Plug-in MI = ln 2;
    /// Miller–Madow adds (m−1)/(2N) per entropy: +1/16 (bins) +1/16 (classes) −1/16 (2 joint cells).
    @Test func perfectDependence() throws {
        let mi = try BinnedMI.estimate([1, 2, 3, 4, 5, 6, 7, 8], labels: DiscreteLabels([0, 0, 0, 0, 1, 1, 1, 1]), bins: 2)
        #expect(abs(mi.raw - (log(2) + 1.0 / 16)) < 1e-12)
    }

    /// Ties stay together: five zeros fill bin 0 (the fifth would have started bin 1), so bin 0 =
    /// {0,0,0,0,0}, bin 1 = {1,2,3}. Labels give joint counts (b0: 3×0, 2×1), (b1: 1×0, 2×1).
    @Test func tiesShareABin() throws {
        let x: [Double] = [0, 0, 0, 0, 0, 1, 2, 3]
        let y = [0, 0, 0, 1, 1, 1, 1, 0]
        let mi = try BinnedMI.estimate(x, labels: DiscreteLabels(y), bins: 2)
        func h(_ counts: [Double]) -> Double {
            -counts.filter { $0 > 0 }.map { $0 / 8 * log($0 / 8) }.reduce(0, +) + Double(counts.filter { $0 > 0 }.count - 1) / 16
        }
        let expected = h([5, 3]) + h([4, 4]) - h([3, 2, 1, 2])
        #expect(abs(mi.raw - expected) < 1e-12)
    }

    @Test func independentIsNearZero() throws {
        var random = SeededRandom(seed: 4)
        let n = 20000
        let x = (0..<n).map { _ in random.nextNormal() }
        let y = (0..<n).map { _ in random.nextInt(below: 5) }
        let scores = try BinnedMI.estimate(values: x, samples: n, features: 1, targets: [DiscreteLabels(y)])
        // Miller–Madow removes the first-order bias (m−1)/(2N) ≈ 0.001 nats here.
        #expect(abs(scores[0][0].raw) < 0.001)
    }
}
