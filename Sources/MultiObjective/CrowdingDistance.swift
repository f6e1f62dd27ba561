import Foundation

/// NSGA-II's crowding distance, computed the way pymoo 0.6 does (`calc_crowding_distance`): per
/// objective, sort the front (stable), give the first and last point +∞, every other point the
/// normalised gap between its neighbours; the sum over objectives is divided by M. An objective
/// whose values are all equal contributes 0. Fronts of one or two points are all +∞.
public enum CrowdingDistance {
    /// Crowding distances of the points `members` (indices into `f`, `m` values per point), written
    /// to `distances[0..<members.count]` in the order of `members`.
    public static func compute(_ f: UnsafePointer<Double>, dimension m: Int, members: UnsafeBufferPointer<Int>,
                               into distances: UnsafeMutablePointer<Double>) {
        let n = members.count
        if n <= 2 {
            for k in 0..<n { distances[k] = .infinity }
            return
        }
        for k in 0..<n { distances[k] = 0 }
        // (value, position) pairs sorted by value then position: pymoo's stable mergesort order.
        var keyed = [(value: Double, position: Int)](repeating: (0, 0), count: n)
        keyed.withUnsafeMutableBufferPointer { o in
            for j in 0..<m {
                if j == 1 && m == 2 && strictlyDecreasing(f2Along: o, f, members) {
                    // Two objectives on a front: the f1 order, reversed, usually already sorts f2
                    // (strictly decreasing along the front); then only the values need refreshing.
                    o.reverse()
                    for k in 0..<n { o[k].value = f[members[o[k].position] * m + 1] }
                } else {
                    for k in 0..<n { o[k] = (f[members[k] * m + j], k) }
                    o.sort { a, b in a.value != b.value ? a.value < b.value : a.position < b.position }
                }
                let range = o[n - 1].value - o[0].value
                distances[o[0].position] = .infinity
                distances[o[n - 1].position] = .infinity
                guard range > 0 else { continue }
                for k in 1..<(n - 1) {
                    distances[o[k].position] += (o[k + 1].value - o[k - 1].value) / range
                }
            }
        }
        let scale = 1.0 / Double(m)
        for k in 0..<n where distances[k].isFinite { distances[k] *= scale }
    }

    /// With `o` sorted by f1: true when f2 strictly decreases along it, so that reversing `o`
    /// gives exactly the f2 order (no ties, hence no question of tie order).
    @inline(__always)
    private static func strictlyDecreasing(f2Along o: UnsafeMutableBufferPointer<(value: Double, position: Int)>,
                                           _ f: UnsafePointer<Double>, _ members: UnsafeBufferPointer<Int>) -> Bool {
        var previous = f[members[o[0].position] * 2 + 1]
        for k in 1..<o.count {
            let v = f[members[o[k].position] * 2 + 1]
            if !(v < previous) { return false }
            previous = v
        }
        return true
    }

    /// Crowding distances of a set of points given as rows.
    public static func compute(_ points: [[Double]]) -> [Double] {
        guard let m = points.first?.count else { return [] }
        let flat = points.flatMap { $0 }
        var d = [Double](repeating: 0, count: points.count)
        let members = Array(0..<points.count)
        flat.withUnsafeBufferPointer { fp in members.withUnsafeBufferPointer { mp in d.withUnsafeMutableBufferPointer { dp in
            compute(fp.baseAddress!, dimension: m, members: mp, into: dp.baseAddress!) } } }
        return d
    }
}
