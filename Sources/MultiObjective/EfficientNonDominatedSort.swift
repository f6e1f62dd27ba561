import Foundation

/// ENS-BS (Zhang, Tian, Cheng & Jin 2015, "An efficient approach to non-dominated sorting"), for
/// any number of objectives.
///
/// Points are visited in lexicographic order, so a point is only compared with points already
/// placed. For each point, a binary search over the fronts finds the first front none of whose
/// members dominates it; members are checked newest first, as ENS recommends (recent members are
/// closer in the order and more likely to dominate).
enum EfficientNonDominatedSort {
    static func ranks(_ f: UnsafePointer<Double>, count n: Int, dimension m: Int) -> [Int] {
        let order = NonDominatedSorting.lexicographicOrder(f, count: n, dimension: m)
        var ranks = [Int](repeating: 0, count: n)
        var fronts: [[Int32]] = []
        for i32 in order {
            let i = Int(i32)
            let p = f + i * m
            var lo = 0, hi = fronts.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                let dominated: Bool = fronts[mid].withUnsafeBufferPointer { members in
                    var k = members.count - 1
                    while k >= 0 {
                        let q = f + Int(members[k]) * m
                        // q precedes p lexicographically, so q ≤ p in all objectives means q dominates
                        // p unless the two are identical.
                        var weaklyBetter = true, identical = true
                        for j in 0..<m {
                            if q[j] > p[j] { weaklyBetter = false; break }
                            if q[j] != p[j] { identical = false }
                        }
                        if weaklyBetter && !identical { return true }
                        k -= 1
                    }
                    return false
                }
                if dominated { lo = mid + 1 } else { hi = mid }
            }
            if lo == fronts.count { fronts.append([i32]) } else { fronts[lo].append(i32) }
            ranks[i] = lo
        }
        return ranks
    }
}
