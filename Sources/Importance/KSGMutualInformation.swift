import Basics

/// Mutual information between two continuous variables by the k-NN estimator of Kraskov,
/// Stögbauer & Grassberger (2004), algorithm 1, with the max-norm in the joint space:
///
///     I = ψ(N) + ψ(k) − ⟨ψ(n_x + 1)⟩ − ⟨ψ(n_y + 1)⟩
///
/// where d_i is the distance from sample i to its k-th nearest neighbour in (x, y) (max-norm),
/// and n_x (n_y) counts the other samples strictly closer than d_i in x (in y) alone —
/// scikit-learn's `mutual_info_regression` conventions (radius `nextafter(d_i, 0)`).
public enum KSGMutualInformation {
    /// 1-D x against 1-D y, preprocessed as scikit-learn does (each scaled by its standard
    /// deviation, then tie-breaking noise: stream `stream` for x, `stream + 1` for y).
    /// Sorted search: samples in x order, scanned outwards from each point until the x gap alone
    /// exceeds the current k-th joint distance (exact), then galloping range counts.
    public static func estimate(_ x: [Double], _ y: [Double], neighbours k: Int = 3, seed: UInt64 = 0, stream: UInt64 = 0) throws -> MIEstimate {
        guard x.count == y.count else { throw ImportanceError.shapeMismatch("\(x.count) x values and \(y.count) y values") }
        try validate(neighbours: k, samples: x.count)
        if let s = x.firstIndex(where: { !$0.isFinite }) ?? y.firstIndex(where: { !$0.isFinite }) {
            throw ImportanceError.nonFiniteValue(feature: 0, sample: s)
        }
        var xv = x, yv = y
        var rx = SeededRandom(seed: seed, stream: stream)
        var ry = SeededRandom(seed: seed, stream: stream &+ 1)
        xv.withUnsafeMutableBufferPointer { TieBreaking.prepare($0, random: &rx) }
        yv.withUnsafeMutableBufferPointer { TieBreaking.prepare($0, random: &ry) }
        return MIEstimate(raw: estimatePrepared1D(xv, yv, k: k))
    }

    static func estimatePrepared1D(_ x: [Double], _ y: [Double], k: Int) -> Double {
        let n = x.count
        let byX = SortedColumn(x)
        let byY = SortedColumn(y)
        // y in x order, and each x-sorted point's position in the y order.
        var yInX = [Double](repeating: 0, count: n)
        var rankY = [Int32](repeating: 0, count: n)
        for g in 0..<n { rankY[Int(byY.order[g])] = Int32(g) }
        var posY = [Int32](repeating: 0, count: n)
        for g in 0..<n {
            let i = Int(byX.order[g])
            yInX[g] = y[i]
            posY[g] = rankY[i]
        }
        let digamma = DigammaTable(limit: n + 1)
        var best = SmallestDistances(k: k)
        var sum = 0.0
        byX.values.withUnsafeBufferPointer { xb in
            byY.values.withUnsafeBufferPointer { yb in
                let xs = xb.baseAddress!, ys = yb.baseAddress!
                for g in 0..<n {
                    best.reset()
                    let xg = xs[g], yg = yInX[g]
                    var j = g - 1
                    while j >= 0 {
                        let dx = xg - xs[j]
                        if dx >= best.kth { break }
                        best.offer(max(dx, abs(yInX[j] - yg)))
                        j -= 1
                    }
                    j = g + 1
                    while j < n {
                        let dx = xs[j] - xg
                        if dx >= best.kth { break }
                        best.offer(max(dx, abs(yInX[j] - yg)))
                        j += 1
                    }
                    let r = SortedSearch.radiusBelow(best.kth)
                    let cx = SortedSearch.countWithin(xs, count: n, at: g, radius: r)
                    let cy = SortedSearch.countWithin(ys, count: n, at: Int(posY[g]), radius: r)
                    // counts include the point itself: ψ(n_x + 1) = ψ(cx).
                    sum += digamma[cx] + digamma[cy]
                }
            }
        }
        return digamma[n] + digamma[k] - sum / Double(n)
    }

    /// Multivariate X `[N × dx]` against Y `[N × dy]` (row-major), max-norm in each space and in
    /// the joint space. Exact brute force, O(N²(dx + dy)). The data are used as given apart from
    /// tie-breaking noise (scale them first if their units differ: the max-norm mixes coordinates).
    public static func estimate(
        x: [Double], xDimensions dx: Int, y: [Double], yDimensions dy: Int,
        neighbours k: Int = 3, seed: UInt64 = 0, stream: UInt64 = 0
    ) throws -> MIEstimate {
        guard dx >= 1, dy >= 1, x.count % dx == 0, y.count % dy == 0, x.count / dx == y.count / dy else {
            throw ImportanceError.shapeMismatch("x: \(x.count) values of dimension \(dx), y: \(y.count) of dimension \(dy)")
        }
        let n = x.count / dx
        try validate(neighbours: k, samples: n)
        if let s = x.firstIndex(where: { !$0.isFinite }) { throw ImportanceError.nonFiniteValue(feature: 0, sample: s / dx) }
        if let s = y.firstIndex(where: { !$0.isFinite }) { throw ImportanceError.nonFiniteValue(feature: 0, sample: s / dy) }
        var xv = x, yv = y
        var rx = SeededRandom(seed: seed, stream: stream)
        var ry = SeededRandom(seed: seed, stream: stream &+ 1)
        xv.withUnsafeMutableBufferPointer { TieBreaking.addNoise($0, random: &rx) }
        yv.withUnsafeMutableBufferPointer { TieBreaking.addNoise($0, random: &ry) }
        return MIEstimate(raw: bruteForce(x: xv, xDimensions: dx, y: yv, yDimensions: dy, k: k))
    }

    static func validate(neighbours k: Int, samples n: Int) throws {
        guard k >= 1 else { throw ImportanceError.invalidNeighbours(k) }
        guard k < n else { throw ImportanceError.neighboursTooLarge(neighbours: k, smallestClass: n) }
    }

    static func bruteForce(x: [Double], xDimensions dx: Int, y: [Double], yDimensions dy: Int, k: Int) -> Double {
        let px = MaxNormPoints(rowMajor: x, dimensions: dx)
        let py = MaxNormPoints(rowMajor: y, dimensions: dy)
        let n = px.count
        let digamma = DigammaTable(limit: n + 1)
        var rowX = [Double](repeating: 0, count: n)
        var rowY = [Double](repeating: 0, count: n)
        var best = SmallestDistances(k: k)
        var sum = 0.0
        for i in 0..<n {
            px.distances(from: i, into: &rowX)
            py.distances(from: i, into: &rowY)
            best.reset()
            for j in 0..<n where j != i { best.offer(max(rowX[j], rowY[j])) }
            let r = SortedSearch.radiusBelow(best.kth)
            var cx = 0, cy = 0
            for j in 0..<n {
                if rowX[j] <= r { cx += 1 }
                if rowY[j] <= r { cy += 1 }
            }
            sum += digamma[cx] + digamma[cy]
        }
        return digamma[n] + digamma[k] - sum / Double(n)
    }
}
