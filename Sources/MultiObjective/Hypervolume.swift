import Foundation

/// Exact hypervolume: the volume of the region dominated by a point set and bounded by a
/// reference point (all objectives minimised).
///
/// Points that do not strictly dominate the reference point add nothing and are dropped first.
/// Dispatch: 1-D and 2-D by a sweep, 3-D by the dimension sweep of `Hypervolume3D` (O(n log n)),
/// 4-D and more by WFG (`HypervolumeWFG`), whose slices bottom out in the 3-D sweep.
///
/// Bounded work: WFG's cost grows exponentially with the number of objectives in the worst case
/// (hundreds of mutually non-dominated points in 10+ objectives can take hours).
/// `compute(_:reference:workLimit:)` stops with `HypervolumeError.workLimitExceeded` once the
/// work passes the limit (a unit is one coordinate of one point handled by a slice or sweep, a
/// few nanoseconds), so a caller facing arbitrary input chooses what to do: report the failure,
/// or fall back to `HypervolumeEstimate` (Monte Carlo, with its standard error). `compute(_:reference:)`
/// has no limit.
public enum Hypervolume {
    /// A limit of about a minute on the project machine (10¹⁰ units).
    public static let defaultWorkLimit = 10_000_000_000

    public static func compute(_ points: [[Double]], reference: [Double]) -> Double {
        var work = HypervolumeWork(limit: .max)
        return compute(points, reference: reference, work: &work)
    }

    /// Exact, or `HypervolumeError.workLimitExceeded` when that takes more than `workLimit` units.
    public static func compute(_ points: [[Double]], reference: [Double], workLimit: Int) throws(HypervolumeError) -> Double {
        var work = HypervolumeWork(limit: workLimit)
        let value = compute(points, reference: reference, work: &work)
        if work.exceeded { throw .workLimitExceeded(limit: workLimit, points: points.count, objectives: reference.count) }
        return value
    }

    static func compute(_ points: [[Double]], reference: [Double], work: inout HypervolumeWork) -> Double {
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
            reference.withUnsafeBufferPointer { r in computeInside(buf.baseAddress, count: n, reference: r.baseAddress!, dimension: m, work: &work) }
        }
    }

    /// Hypervolume of `n` points (rows of `points`, all strictly better than `reference`); the
    /// buffer may be reordered. Returns 0 early once `work` is exceeded.
    static func computeInside(_ points: UnsafeMutablePointer<Double>?, count n: Int, reference r: UnsafePointer<Double>,
                              dimension m: Int, work: inout HypervolumeWork) -> Double {
        guard n > 0, let p = points, work.spend(n * m) else { return 0 }
        switch m {
        case 1:
            var best = p[0]
            for i in 1..<max(n, 1) where i < n { best = min(best, p[i]) }
            return r[0] - best
        case 2: return sweep2D(p, count: n, reference: r)
        case 3: return Hypervolume3D.compute(p, count: n, reference: r)
        default: return HypervolumeWFG.compute(p, count: n, reference: r, dimension: m, work: &work)
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

/// What the exact computation would need more of than the caller allowed.
public enum HypervolumeError: Error, Equatable, CustomStringConvertible {
    case workLimitExceeded(limit: Int, points: Int, objectives: Int)

    public var description: String {
        switch self {
        case let .workLimitExceeded(limit, points, objectives):
            return "hypervolume: the exact value of \(points) points in \(objectives) objectives needs more than the work limit of \(limit) (use fewer points or objectives, or an estimate)"
        }
    }
}

/// The work an exact hypervolume may still do.
struct HypervolumeWork {
    let limit: Int
    private(set) var spent = 0
    private(set) var exceeded = false

    init(limit: Int) { self.limit = limit }

    /// Counts `units`; false once the total passes the limit (and from then on).
    @inline(__always)
    mutating func spend(_ units: Int) -> Bool {
        guard !exceeded else { return false }
        let (total, overflow) = spent.addingReportingOverflow(units)
        if overflow || total > limit { exceeded = true; return false }
        spent = total
        return true
    }
}
