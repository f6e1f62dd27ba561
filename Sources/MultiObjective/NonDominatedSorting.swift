import Foundation

/// Which algorithm assigns non-domination ranks. All give the same ranks (tests check each against
/// brute force); they differ in speed.
public enum NonDominatedSortMethod: String, CaseIterable, Sendable, Codable {
    /// `sweep2D` for 2 objectives, `sweep3D` for 3, `efficientBinary` otherwise.
    case automatic
    /// Deb et al. 2002: domination counts and lists, O(M N²) time and O(N²) memory.
    case fastNonDominated
    /// ENS-BS (Zhang et al. 2015): lexicographic order, binary search over fronts.
    case efficientBinary
    /// O(N log N) for two objectives: binary search over the fronts' last points.
    case sweep2D
    /// O(N log N log F) for three objectives: each front keeps its 2-D staircase in (f2, f3).
    case sweep3D
}

/// Non-dominated sorting: rank 0 is the non-dominated set, rank 1 what is non-dominated once rank
/// 0 is removed, and so on. Identical points share a rank (neither dominates the other).
public enum NonDominatedSorting {
    /// Ranks of `count` points stored row by row in `objectives` (`dimension` values per point).
    public static func ranks(_ objectives: UnsafeBufferPointer<Double>, count: Int, dimension m: Int,
                             method: NonDominatedSortMethod = .automatic) -> [Int] {
        precondition(objectives.count >= count * m, "objective buffer too short")
        guard count > 0 else { return [] }
        let f = objectives.baseAddress!
        switch method {
        case .automatic:
            if m == 1 { return ranks1D(f, count) }
            if m == 2 { return ParetoSweep2D.ranks(f, count: count) }
            if m == 3 { return ParetoSweep3D.ranks(f, count: count) }
            return EfficientNonDominatedSort.ranks(f, count: count, dimension: m)
        case .fastNonDominated:
            return FastNonDominatedSort.ranks(f, count: count, dimension: m)
        case .efficientBinary:
            return EfficientNonDominatedSort.ranks(f, count: count, dimension: m)
        case .sweep2D:
            precondition(m == 2, "sweep2D needs two objectives")
            return ParetoSweep2D.ranks(f, count: count)
        case .sweep3D:
            precondition(m == 3, "sweep3D needs three objectives")
            return ParetoSweep3D.ranks(f, count: count)
        }
    }

    /// Ranks of points given as rows.
    public static func ranks(_ points: [[Double]], method: NonDominatedSortMethod = .automatic) -> [Int] {
        guard let m = points.first?.count else { return [] }
        let flat = points.flatMap { row -> [Double] in precondition(row.count == m, "rows of different length"); return row }
        return flat.withUnsafeBufferPointer { ranks($0, count: points.count, dimension: m, method: method) }
    }

    /// Indices of each front, front 0 first, indices ascending within a front.
    public static func fronts(fromRanks ranks: [Int]) -> [[Int]] {
        let frontCount = (ranks.max() ?? -1) + 1
        var fronts = Array(repeating: [Int](), count: frontCount)
        for (i, r) in ranks.enumerated() { fronts[r].append(i) }
        return fronts
    }

    /// Indices of the non-dominated points (rank 0).
    public static func nonDominatedIndices(_ points: [[Double]]) -> [Int] {
        ranks(points).enumerated().filter { $0.element == 0 }.map(\.offset)
    }

    /// The non-dominated points, duplicates kept once, in input order.
    public static func nonDominated(_ points: [[Double]]) -> [[Double]] {
        var seen = Set<[Double]>()
        return nonDominatedIndices(points).map { points[$0] }.filter { seen.insert($0).inserted }
    }

    private static func ranks1D(_ f: UnsafePointer<Double>, _ n: Int) -> [Int] {
        let order = (0..<n).sorted { f[$0] < f[$1] }
        var ranks = [Int](repeating: 0, count: n)
        var rank = 0
        for k in 1..<max(n, 1) where k < n {
            if f[order[k]] > f[order[k - 1]] { rank += 1 }
            ranks[order[k]] = rank
        }
        return ranks
    }

    /// Indices `0..<n` in lexicographic order of their objective vectors (ties by index), the order
    /// every sweep needs: a point can only be dominated by points before it.
    static func lexicographicOrder(_ f: UnsafePointer<Double>, count n: Int, dimension m: Int) -> [Int32] {
        var order = [Int32](unsafeUninitializedCapacity: n) { buf, c in
            for i in 0..<n { buf[i] = Int32(i) }
            c = n
        }
        order.withUnsafeMutableBufferPointer { o in
            o.sort { a, b in
                let pa = f + Int(a) * m, pb = f + Int(b) * m
                for j in 0..<m where pa[j] != pb[j] { return pa[j] < pb[j] }
                return a < b
            }
        }
        return order
    }
}
