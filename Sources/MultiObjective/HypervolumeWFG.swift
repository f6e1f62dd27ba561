import Foundation

/// Exact hypervolume for four or more objectives by WFG (While, Bradstreet & Barone 2012, "A fast
/// way of calculating exact hypervolumes").
///
/// The volume is the sum of exclusive contributions. Points are sorted by the last objective,
/// worst first; the exclusive part of point p against the later points is its box minus the volume
/// of the "limit set" (later points made no better than p). All of the limit set lies at p's last
/// coordinate, so both terms are (r_M − p_M) times a (M−1)-dimensional quantity: the recursion
/// drops one dimension per level and ends in the 3-D sweep. Every slice and sweep is charged to
/// `work` (its points times their objectives); once that is exceeded the result is abandoned.
enum HypervolumeWFG {
    static func compute(_ p: UnsafeMutablePointer<Double>, count n: Int, reference r: UnsafePointer<Double>,
                        dimension m: Int, work: inout HypervolumeWork) -> Double {
        if m <= 3 { return Hypervolume.computeInside(p, count: n, reference: r, dimension: m, work: &work) }
        let last = m - 1
        var order = Array(0..<n)
        order.sort { p[$0 * m + last] > p[$1 * m + last] }
        let d = m - 1
        var limit = [Double](repeating: 0, count: n * d)
        var total = 0.0
        for k in 0..<n {
            let q = p + order[k] * m
            var box = 1.0
            for j in 0..<d { box *= r[j] - q[j] }
            // Limit set in the first M−1 objectives, kept only if non-dominated among itself.
            var count = 0
            guard work.spend((n - k) * d) else { return 0 }
            for t in (k + 1)..<max(n, k + 1) {
                let s = p + order[t] * m
                for j in 0..<d { limit[count * d + j] = max(s[j], q[j]) }
                count += 1
            }
            var covered = 0.0
            if count > 0 {
                covered = limit.withUnsafeMutableBufferPointer { buf in
                    let kept = nonDominatedInPlace(buf.baseAddress!, count: count, dimension: d)
                    return compute(buf.baseAddress!, count: kept, reference: r, dimension: d, work: &work)
                }
            }
            total += (r[last] - q[last]) * (box - covered)
        }
        return total
    }

    /// Moves the non-dominated rows (duplicates kept once) to the front; returns how many.
    static func nonDominatedInPlace(_ p: UnsafeMutablePointer<Double>, count n: Int, dimension m: Int) -> Int {
        let ranks = NonDominatedSorting.ranks(UnsafeBufferPointer(start: p, count: n * m), count: n, dimension: m)
        var kept = 0
        for i in 0..<n where ranks[i] == 0 {
            // Skip exact duplicates of a row already kept.
            var duplicate = false
            for t in 0..<kept {
                var same = true
                for j in 0..<m where p[t * m + j] != p[i * m + j] { same = false; break }
                if same { duplicate = true; break }
            }
            if duplicate { continue }
            if kept != i { for j in 0..<m { p[kept * m + j] = p[i * m + j] } }
            kept += 1
        }
        return kept
    }
}
