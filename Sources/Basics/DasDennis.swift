import Foundation

/// Das & Dennis (1998) simplex-lattice points: every vector of `dimension` non-negative multiples
/// of 1/`partitions` summing to 1 — C(partitions + dimension − 1, dimension − 1) points. Used to
/// sample the true fronts of the DTLZ problems (as pymoo's `get_reference_directions("das-dennis")`).
public enum DasDennis {
    public static func points(dimension m: Int, partitions p: Int) -> [[Double]] {
        precondition(m >= 1 && p >= 1, "need at least one dimension and one partition")
        var out: [[Double]] = []
        var current = [Int](repeating: 0, count: m)
        func fill(_ j: Int, _ left: Int) {
            if j == m - 1 {
                current[j] = left
                out.append(current.map { Double($0) / Double(p) })
                return
            }
            for v in 0...left {
                current[j] = v
                fill(j + 1, left - v)
            }
        }
        fill(0, p)
        return out
    }

    /// The smallest partition count giving at least `target` points in `dimension` objectives.
    public static func partitions(forAtLeast target: Int, dimension m: Int) -> Int {
        var p = 1
        while binomial(p + m - 1, m - 1) < target { p += 1 }
        return p
    }

    static func binomial(_ n: Int, _ k: Int) -> Int {
        var r = 1
        for i in 0..<k { r = r * (n - i) / (i + 1) }
        return r
    }
}
