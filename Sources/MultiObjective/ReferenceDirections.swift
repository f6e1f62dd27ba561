import Basics
import Foundation

/// NSGA-III's reference directions: Das & Dennis simplex lattices (every vector of non-negative
/// multiples of 1/p summing to 1), sized to a population.
///
/// Sizing rule: the largest lattice with at most P points (at least p = 1, the M unit vectors).
/// That reproduces Deb & Jain's pairs — P = 92 → 91 directions (p = 12) for 3 objectives, P = 212 →
/// 210 (p = 6) for 5 — whereas pymoo sizes the other way round (population = number of directions).
public enum ReferenceDirections {
    /// The lattice sized to `populationSize` for `objectiveCount` objectives.
    public static func sized(toPopulation populationSize: Int, objectiveCount m: Int) -> [[Double]] {
        DasDennis.points(dimension: m, partitions: partitions(atMost: populationSize, dimension: m))
    }

    /// The largest partition count p ≥ 1 whose lattice has at most `count` points (1 if even
    /// p = 1, with `dimension` points, has more).
    public static func partitions(atMost count: Int, dimension m: Int) -> Int {
        var p = 1
        while let size = latticeSize(dimension: m, partitions: p + 1, limit: count), size <= count { p += 1 }
        return p
    }

    /// C(p + m − 1, m − 1), the number of lattice points, or nil when it exceeds `limit` (computed
    /// so that it never overflows: C(p + i, i) grows with i, so the loop stops at the first
    /// partial product above the limit).
    public static func latticeSize(dimension m: Int, partitions p: Int, limit: Int) -> Int? {
        guard m >= 1, p >= 0 else { return nil }
        var size = 1
        for i in stride(from: 1, to: m, by: 1) {
            // C(p + i, i) = C(p + i − 1, i − 1) · (p + i) / i, exact at every step.
            let (product, overflow) = size.multipliedReportingOverflow(by: p + i)
            if overflow { return nil }
            size = product / i
            if size > limit { return nil }
        }
        return size
    }

    /// Why `directions` cannot serve `objectiveCount` objectives, or nil.
    static func problem(with directions: [[Double]], objectiveCount m: Int?) -> String? {
        guard let first = directions.first else { return "reference directions: none given" }
        let width = m ?? first.count
        guard width >= 1 else { return "reference directions: empty rows" }
        for (k, d) in directions.enumerated() {
            guard d.count == width else {
                return "reference directions: direction \(k) has \(d.count) values, expected \(width)\(m == nil ? "" : " (the objectives)")"
            }
            guard d.allSatisfy({ $0 >= 0 && $0.isFinite }), d.contains(where: { $0 > 0 }) else {
                return "reference directions: direction \(k) must be finite, non-negative and not all zero"
            }
        }
        return nil
    }
}
