import Basics
import Foundation
import MultiObjective
import Testing
@testable import Importance

@Suite("k-means")
struct KMeansTests {
    /// Four blobs 10 apart with σ = 0.5: k-means must recover the generating groups exactly (up
    /// to relabelling) and every centre must be the mean of its group (computed here directly).
    @Test func recoversSeparatedBlobs() throws {
        var random = SeededRandom(seed: 1)
        let truthCentres: [[Double]] = [[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]]
        var points: [Double] = []
        var groups: [Int] = []
        for i in 0..<400 {
            let g = i % 4
            groups.append(g)
            for d in 0..<3 { points.append(truthCentres[g][d] + 0.5 * random.nextNormal()) }
        }
        let km = KMeans(points: points, dimensions: 3, clusters: 4, seed: 42)
        #expect(km.converged)
        var clusterOfGroup = [Int32](repeating: -1, count: 4)
        for i in 0..<400 {
            if clusterOfGroup[groups[i]] < 0 { clusterOfGroup[groups[i]] = km.assignments[i] }
            #expect(km.assignments[i] == clusterOfGroup[groups[i]])
        }
        #expect(Set(clusterOfGroup).count == 4)
        for g in 0..<4 {
            let members = (0..<400).filter { groups[$0] == g }
            for d in 0..<3 {
                let mean = members.map { points[$0 * 3 + d] }.reduce(0, +) / Double(members.count)
                #expect(abs(km.centres[Int(clusterOfGroup[g]) * 3 + d] - mean) < 1e-12)
            }
        }
    }

    /// On overlapping data the result is a Lloyd fixed point: every point is nearest its own
    /// centre and every centre is the mean of its points (checked by brute force); same seed,
    /// same answer.
    @Test func fixedPointAndDeterminism() throws {
        var random = SeededRandom(seed: 2)
        let points = (0..<1200).map { _ in random.nextNormal() }
        let a = KMeans(points: points, dimensions: 2, clusters: 5, seed: 7)
        let b = KMeans(points: points, dimensions: 2, clusters: 5, seed: 7)
        #expect(a.assignments == b.assignments && a.centres == b.centres)
        #expect(a.converged)
        for j in 0..<600 {
            let own = Int(a.assignments[j])
            func dist(_ c: Int) -> Double {
                let dx = points[2 * j] - a.centres[2 * c], dy = points[2 * j + 1] - a.centres[2 * c + 1]
                return dx * dx + dy * dy
            }
            for c in 0..<5 { #expect(dist(own) <= dist(c)) }
        }
        for c in 0..<5 {
            let members = (0..<600).filter { a.assignments[$0] == Int32(c) }
            #expect(!members.isEmpty)
            let mx = members.map { points[2 * $0] }.reduce(0, +) / Double(members.count)
            #expect(abs(a.centres[2 * c] - mx) < 1e-9)
        }
    }

    @Test func fewerDistinctPointsThanClusters() throws {
        let points: [Double] = [1, 1, 1, 2, 2, 2]
        let km = KMeans(points: points, dimensions: 1, clusters: 4, seed: 0)
        #expect(km.assignments[0] == km.assignments[1] && km.assignments[3] == km.assignments[5])
        #expect(km.assignments[0] != km.assignments[3])
        #expect(km.inertia == 0)
    }
}
