import Foundation
import MultiObjective

/// A benchmark problem whose Pareto front is known: it can report a dense sample of the true front
/// (for IGD and GD) and the hypervolume reference point used to compare tools.
public protocol KnownFrontProblem: Problem {
    /// About 1 000 points spread over the true Pareto front (the samples of
    /// pymoo's peers script where it defines them: linspace samples, a 44-partition lattice).
    func trueFront() -> [[Double]]
    /// Reference point for hypervolume: the true front's nadir + 0.1 in every objective.
    var referencePoint: [Double] { get }
}

extension KnownFrontProblem {
    /// Nadir of `front` + 0.1 in every objective.
    static func nadirPlusOneTenth(_ front: [[Double]]) -> [Double] {
        guard let first = front.first else { return [] }
        var nadir = first
        for p in front { for j in 0..<p.count { nadir[j] = max(nadir[j], p[j]) } }
        return nadir.map { $0 + 0.1 }
    }
}

/// `count` points evenly spaced over `[a, b]` (numpy's `linspace`).
func linspace(_ a: Double, _ b: Double, _ count: Int) -> [Double] {
    guard count > 1 else { return [a] }
    return (0..<count).map { a + (b - a) * Double($0) / Double(count - 1) }
}

/// Thins a front (sorted as given) to about `target` points taken at evenly spaced indices, as the
/// peers script does (`np.linspace(0, len−1, target).round()`, unique).
func thin(_ front: [[Double]], to target: Int) -> [[Double]] {
    guard front.count > target else { return front }
    var picked: [[Double]] = []
    var last = -1
    for t in 0..<target {
        let idx = Int((Double(t) * Double(front.count - 1) / Double(target - 1)).rounded(.toNearestOrEven))
        if idx != last { picked.append(front[idx]); last = idx }
    }
    return picked
}

/// The non-dominated points of `points` sorted lexicographically (duplicates once).
func sortedNonDominated(_ points: [[Double]]) -> [[Double]] {
    NonDominatedSorting.nonDominated(points).sorted { $0.lexicographicallyPrecedes($1) }
}
