import Foundation

/// Exact hypervolume: the volume of the region dominated by a point set and bounded by a
/// reference point (all objectives minimised).
///
/// Points that do not strictly dominate the reference point add nothing and are dropped first.
/// Dispatch: 1-D and 2-D by a sweep, 3-D by the dimension sweep of `Hypervolume3D` (O(n log n)),
/// 4-D and more by WFG (`HypervolumeWFG`), whose slices bottom out in the 3-D sweep.
public enum Hypervolume {
    public static func compute(_ points: [[Double]], reference: [Double]) -> Double {
        let m = reference.count
        precondition(m > 0, "reference point is empty")
        var flat: [Double] = []
        flat.reserveCapacity(points.count * m)
        var n = 0
        for p in points {
            precondition(p.count == m, "point has \(p.count) objectives, reference has \(m)")
            var inside = true
            for j in 0..<m where !(p[j] < reference[j]) { inside = false; break }
            if inside { flat.append(contentsOf: p); n += 1 }
        }
        return flat.withUnsafeMutableBufferPointer { buf in
            reference.withUnsafeBufferPointer { r in computeInside(buf.baseAddress, count: n, reference: r.baseAddress!, dimension: m) }
        }
    }

    /// Hypervolume of `n` points (rows of `points`, all strictly better than `reference`); the
    /// buffer may be reordered.
    static func computeInside(_ points: UnsafeMutablePointer<Double>?, count n: Int, reference r: UnsafePointer<Double>,
                              dimension m: Int) -> Double {
        guard n > 0, let p = points else { return 0 }
        switch m {
        case 1:
            var best = p[0]
            for i in 1..<max(n, 1) where i < n { best = min(best, p[i]) }
            return r[0] - best
        case 2: return sweep2D(p, count: n, reference: r)
        case 3: return Hypervolume3D.compute(p, count: n, reference: r)
        default: return HypervolumeWFG.compute(p, count: n, reference: r, dimension: m)
        }
    }

    /// 2-D: sort by f1 ascending; each point adds the strip between its f2 and the best f2 so far.
    static func sweep2D(_ p: UnsafeMutablePointer<Double>, count n: Int, reference r: UnsafePointer<Double>) -> Double {
        var order = [Int](0..<n)
        order.withUnsafeMutableBufferPointer { o in
            o.sort { a, b in p[2 * a] != p[2 * b] ? p[2 * a] < p[2 * b] : p[2 * a + 1] < p[2 * b + 1] }
        }
        var volume = 0.0
        var bestB = r[1]
        for i in order {
            let a = p[2 * i], b = p[2 * i + 1]
            if b < bestB {
                volume += (r[0] - a) * (bestB - b)
                bestB = b
            }
        }
        return volume
    }
}
