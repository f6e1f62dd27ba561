import Foundation

/// An unbounded archive of non-dominated points: every point offered is kept unless an archived
/// point dominates it or has the same objectives; archived points it dominates leave. It holds
/// the decision vectors too, so a caller can re-score what it found.
///
/// Order: lexicographic order of the objective vectors — deterministic, and what makes insertion
/// cheap: only points before a new one can dominate it, only points after it can be dominated by
/// it. With two objectives that is a binary search and one contiguous run (the archive is a
/// staircase); with more, one scan of the points before and after. Of two points with equal
/// objectives the first offered stays. Points with a NaN objective are not archived.
public struct ParetoArchive: Codable, Sendable, Equatable {
    public let variableCount: Int
    public let objectiveCount: Int
    public private(set) var count: Int
    /// Decision vectors and objectives, row by row, in the archive's order.
    public private(set) var x: [Double]
    public private(set) var f: [Double]

    public init(variableCount: Int, objectiveCount: Int) {
        self.variableCount = variableCount
        self.objectiveCount = objectiveCount
        count = 0
        x = []
        f = []
    }

    public func variables(of i: Int) -> [Double] { Array(x[i * variableCount..<(i + 1) * variableCount]) }
    public func objectives(of i: Int) -> [Double] { Array(f[i * objectiveCount..<(i + 1) * objectiveCount]) }
    /// Every archived objective vector, in order.
    public var front: [[Double]] { (0..<count).map(objectives(of:)) }

    /// Offers one point; returns whether it was archived.
    @discardableResult
    public mutating func insert(variables: [Double], objectives: [Double]) -> Bool {
        precondition(variables.count == variableCount && objectives.count == objectiveCount, "point of the wrong shape")
        return variables.withUnsafeBufferPointer { xp in
            objectives.withUnsafeBufferPointer { fp in insert(variables: xp.baseAddress!, objectives: fp.baseAddress!) }
        }
    }

    /// Offers the feasible rows `rows` of `population` (same shape), in row order.
    public mutating func insert(feasibleRowsOf population: Population, rows: Range<Int>) {
        let n = variableCount, m = objectiveCount
        population.x.withUnsafeBufferPointer { xs in
            population.f.withUnsafeBufferPointer { fs in
                for r in rows where population.violation[r] == 0 {
                    insert(variables: xs.baseAddress! + r * n, objectives: fs.baseAddress! + r * m)
                }
            }
        }
    }

    @discardableResult
    public mutating func insert(variables xNew: UnsafePointer<Double>, objectives p: UnsafePointer<Double>) -> Bool {
        let n = variableCount, m = objectiveCount
        for j in 0..<m where p[j].isNaN { return false }
        let position = lowerBound(p)
        var end = position   // rows position..<end are the ones p dominates (two objectives)
        let accepted: Bool = f.withUnsafeBufferPointer { fb in
            let a = fb.baseAddress
            if position < count && Self.equal(a! + position * m, p, m) { return false }
            if m == 2 {
                // A staircase: f1 ascending, f2 strictly descending.
                if position > 0 && a![(position - 1) * 2 + 1] <= p[1] { return false }
                while end < count && a![end * 2 + 1] >= p[1] { end += 1 }
                return true
            }
            for k in 0..<position where Self.weaklyDominates(a! + k * m, p, m) { return false }
            return true
        }
        guard accepted else { return false }
        if m == 2 {
            x.replaceSubrange(position * n..<end * n, with: UnsafeBufferPointer(start: xNew, count: n))
            f.replaceSubrange(position * 2..<end * 2, with: UnsafeBufferPointer(start: p, count: 2))
            count += 1 - (end - position)
            return true
        }
        // Drop the later points p dominates (keeping order), then place p.
        var kept = position
        for k in position..<count {
            let dominated = f.withUnsafeBufferPointer { Self.weaklyDominates(p, $0.baseAddress! + k * m, m) }
            if dominated { continue }
            if kept != k {
                for j in 0..<m { f[kept * m + j] = f[k * m + j] }
                for j in 0..<n { x[kept * n + j] = x[k * n + j] }
            }
            kept += 1
        }
        f.removeLast((count - kept) * m)
        x.removeLast((count - kept) * n)
        count = kept
        f.insert(contentsOf: UnsafeBufferPointer(start: p, count: m), at: position * m)
        x.insert(contentsOf: UnsafeBufferPointer(start: xNew, count: n), at: position * n)
        count += 1
        return true
    }

    /// The first row whose objectives are not lexicographically below `p`.
    private func lowerBound(_ p: UnsafePointer<Double>) -> Int {
        let m = objectiveCount
        return f.withUnsafeBufferPointer { fb in
            var lo = 0, hi = count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if Self.lexicographicallyPrecedes(fb.baseAddress! + mid * m, p, m) { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    @inline(__always)
    static func lexicographicallyPrecedes(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ m: Int) -> Bool {
        for j in 0..<m where a[j] != b[j] { return a[j] < b[j] }
        return false
    }

    @inline(__always)
    static func equal(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ m: Int) -> Bool {
        for j in 0..<m where a[j] != b[j] { return false }
        return true
    }

    /// a ≤ b in every objective (with a ≠ b: dominance; the archive never holds equal points).
    @inline(__always)
    static func weaklyDominates(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ m: Int) -> Bool {
        for j in 0..<m where a[j] > b[j] { return false }
        return true
    }

    /// Why this archive (read from a checkpoint) cannot be one for `space`, or nil: shape, finite
    /// objectives, points inside the space, strictly increasing order (so no duplicates) and no
    /// point dominating another.
    func problem(space: VariableSpace) -> String? {
        let n = variableCount, m = objectiveCount
        guard n == space.count, count >= 0, x.count == count * n, f.count == count * m else {
            return "arrays do not match its count of \(count) points of \(n) variables and \(m) objectives"
        }
        for i in 0..<count {
            if let problem = space.problem(with: x[(i * n)..<((i + 1) * n)]) { return "point \(i): \(problem)" }
            for j in 0..<m where !f[i * m + j].isFinite { return "point \(i): objective \(j) is not finite (\(f[i * m + j]))" }
        }
        return f.withUnsafeBufferPointer { fb -> String? in
            let a = fb.baseAddress
            for i in 1..<max(count, 1) where !Self.lexicographicallyPrecedes(a! + (i - 1) * m, a! + i * m, m) {
                return "points \(i - 1) and \(i) are out of order or equal"
            }
            guard count > 0 else { return nil }
            let ranks = NonDominatedSorting.ranks(fb, count: count, dimension: m)
            if let i = ranks.firstIndex(where: { $0 != 0 }) { return "point \(i) is dominated by another archived point" }
            return nil
        }
    }

    /// Whether some archived point is no worse than `p` in every objective.
    func covers(_ p: UnsafePointer<Double>) -> Bool {
        let m = objectiveCount
        return f.withUnsafeBufferPointer { fb in
            (0..<count).contains { Self.weaklyDominates(fb.baseAddress! + $0 * m, p, m) }
        }
    }
}
