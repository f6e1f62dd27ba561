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
        var order = [Int](repeating: 0, count: n)
        order.withUnsafeMutableBufferPointer { o in
            for j in 0..<m {
                for k in 0..<n { o[k] = k }
                o.sort { a, b in
                    let va = f[members[a] * m + j], vb = f[members[b] * m + j]
                    return va != vb ? va < vb : a < b
                }
                let lo = f[members[o[0]] * m + j], hi = f[members[o[n - 1]] * m + j]
                let range = hi - lo
                distances[o[0]] = .infinity
                distances[o[n - 1]] = .infinity
                guard range > 0 else { continue }
                for k in 1..<(n - 1) {
                    let gap = f[members[o[k + 1]] * m + j] - f[members[o[k - 1]] * m + j]
                    distances[o[k]] += gap / range
                }
            }
        }
        let scale = 1.0 / Double(m)
        for k in 0..<n where distances[k].isFinite { distances[k] *= scale }
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
