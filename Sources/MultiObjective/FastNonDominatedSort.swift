import Foundation

/// The classic fast non-dominated sort of NSGA-II (Deb et al. 2002): every pair is compared once,
/// each point counts its dominators and lists the points it dominates; fronts are peeled off by
/// decrementing counts. O(M N²) time, O(N²) memory in the worst case. Kept as the textbook
/// reference the faster sweeps are checked against.
enum FastNonDominatedSort {
    static func ranks(_ f: UnsafePointer<Double>, count n: Int, dimension m: Int) -> [Int] {
        var dominatedCount = [Int](repeating: 0, count: n)
        var dominates = [[Int32]](repeating: [], count: n)
        for i in 0..<n {
            for j in (i + 1)..<max(n, i + 1) {
                switch Dominance.relation(f + i * m, f + j * m, count: m) {
                case 1: dominates[i].append(Int32(j)); dominatedCount[j] += 1
                case -1: dominates[j].append(Int32(i)); dominatedCount[i] += 1
                default: break
                }
            }
        }
        var ranks = [Int](repeating: 0, count: n)
        var current = (0..<n).filter { dominatedCount[$0] == 0 }
        var rank = 0
        while !current.isEmpty {
            var next: [Int] = []
            for i in current {
                ranks[i] = rank
                for j32 in dominates[i] {
                    let j = Int(j32)
                    dominatedCount[j] -= 1
                    if dominatedCount[j] == 0 { next.append(j) }
                }
            }
            current = next
            rank += 1
        }
        return ranks
    }
}
