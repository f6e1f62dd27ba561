import Foundation

/// Pareto dominance between objective vectors (all objectives minimised), and Deb's constraint
/// domination, which first compares total constraint violation.
public enum Dominance {
    /// `1` if `a` dominates `b` (no worse anywhere, better somewhere), `-1` if `b` dominates `a`,
    /// `0` otherwise (equal or incomparable). The same contract as pymoo's `Dominator.get_relation`.
    @inline(__always)
    public static func relation(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count m: Int) -> Int {
        var aBetter = false, bBetter = false
        for i in 0..<m {
            if a[i] < b[i] { aBetter = true; if bBetter { return 0 } }
            else if b[i] < a[i] { bBetter = true; if aBetter { return 0 } }
        }
        if aBetter { return 1 }
        if bBetter { return -1 }
        return 0
    }

    public static func relation(_ a: [Double], _ b: [Double]) -> Int {
        precondition(a.count == b.count, "objective vectors of different length")
        return a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
            relation(ap.baseAddress!, bp.baseAddress!, count: a.count) } }
    }

    /// `true` when `a` dominates `b`.
    @inline(__always)
    public static func dominates(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count m: Int) -> Bool {
        var strictly = false
        for i in 0..<m {
            if a[i] > b[i] { return false }
            if a[i] < b[i] { strictly = true }
        }
        return strictly
    }

    /// Constraint domination (Deb 2000): a feasible point beats an infeasible one, of two infeasible
    /// points the smaller total violation wins, of two feasible points Pareto dominance decides.
    public static func constrainedRelation(_ a: UnsafePointer<Double>, violationA: Double,
                                           _ b: UnsafePointer<Double>, violationB: Double, count m: Int) -> Int {
        if violationA > 0 || violationB > 0 {
            if violationA < violationB { return 1 }
            if violationB < violationA { return -1 }
            return 0
        }
        return relation(a, b, count: m)
    }
}
