import Basics
import Foundation
@testable import MultiObjective

/// Brute-force ranks: peel the non-dominated set off, pair by pair, until nothing is left.
func bruteForceRanks(_ points: [[Double]]) -> [Int] {
    var ranks = [Int](repeating: -1, count: points.count)
    var rank = 0
    var left = Set(points.indices)
    while !left.isEmpty {
        let front = left.filter { i in !left.contains { j in Dominance.relation(points[j], points[i]) == 1 } }
        for i in front { ranks[i] = rank; left.remove(i) }
        rank += 1
    }
    return ranks
}

/// Random points with many ties and duplicates: coordinates drawn from a few integer levels.
func randomTiedPoints(count: Int, dimension m: Int, levels: Int, random: inout SeededRandom) -> [[Double]] {
    var points = (0..<count).map { _ in (0..<m).map { _ in Double(random.nextInt(below: levels)) } }
    // Exact copies of earlier points too.
    for k in stride(from: 3, to: count, by: 7) { points[k] = points[k / 2] }
    return points
}

func randomUniformPoints(count: Int, dimension m: Int, random: inout SeededRandom) -> [[Double]] {
    (0..<count).map { _ in (0..<m).map { _ in random.nextUnit() } }
}

/// Hypervolume by inclusion–exclusion: Σ over non-empty subsets S of (−1)^{|S|+1} vol(box of the
/// componentwise max of S). Exponential, exact; for ≤ 12 points.
func inclusionExclusionHypervolume(_ points: [[Double]], reference r: [Double]) -> Double {
    let n = points.count, m = r.count
    var total = 0.0
    for mask in 1..<(1 << n) {
        var corner = [Double](repeating: -Double.infinity, count: m)
        var bits = 0
        for i in 0..<n where mask & (1 << i) != 0 {
            bits += 1
            for j in 0..<m { corner[j] = max(corner[j], points[i][j]) }
        }
        var box = 1.0
        for j in 0..<m { box *= max(0, r[j] - corner[j]) }
        total += bits % 2 == 1 ? box : -box
    }
    return total
}

/// Hypervolume of integer points by counting the unit cells of the grid [0, R)^m they dominate.
func gridHypervolume(_ points: [[Int]], reference r: Int, dimension m: Int) -> Int {
    var count = 0
    var cell = [Int](repeating: 0, count: m)
    while true {
        // Cell [c, c+1)^m is dominated if some point p has p ≤ c in every coordinate.
        if points.contains(where: { p in (0..<m).allSatisfy { p[$0] <= cell[$0] } }) { count += 1 }
        var k = 0
        while k < m { cell[k] += 1; if cell[k] < r { break }; cell[k] = 0; k += 1 }
        if k == m { break }
    }
    return count
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
