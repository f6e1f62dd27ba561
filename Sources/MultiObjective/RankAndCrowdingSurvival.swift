import Basics
import Foundation

/// NSGA-II's elitist survival, as pymoo's `RankAndCrowding` with constraint handling: feasible
/// individuals are ranked by non-dominated sorting and admitted front by front; the front that does
/// not fit whole keeps its members of largest crowding distance (ties in random order); if too few
/// are feasible, the infeasible ones follow in order of increasing violation. Survivors carry
/// their rank and crowding distance for the next tournament.
public struct RankAndCrowdingSurvival: Survival {
    public static let kind = "rankAndCrowding"
    public var sortMethod: NonDominatedSortMethod
    public init(sortMethod: NonDominatedSortMethod = .automatic) { self.sortMethod = sortMethod }

    public func survive(_ merged: inout Population, count: Int, memory: inout [Double], random: inout SeededRandom,
                        into survivors: inout Population, sortedPrefix: Int) -> Bool {
        survive(&merged, count: count, random: &random, into: &survivors, sortedPrefix: sortedPrefix)
    }

    /// The `count` survivors of `merged`, written into `survivors` (resized to `count`).
    ///
    /// `sortedPrefix` says how many leading rows of `merged` are known to be in lexicographic order
    /// of their objectives (a speed hint for two objectives; the result does not depend on it).
    /// Returns whether the survivors are in lexicographic order (two feasible objectives: they are
    /// written in that order, so the next generation can pass them as its sorted prefix).
    @discardableResult
    public func survive(_ merged: inout Population, count: Int, random: inout SeededRandom, into survivors: inout Population,
                        sortedPrefix: Int = 0) -> Bool {
        let m = merged.objectiveCount
        let total = merged.count
        let (feasible, infeasible) = FeasibilitySplit.split(merged)

        var chosen: [Int] = []
        chosen.reserveCapacity(count)
        var lexicographicOrder: [Int] = []
        if !feasible.isEmpty {
            // Objectives of the feasible members, contiguous for the sort.
            var fs = [Double](repeating: 0, count: feasible.count * m)
            merged.f.withUnsafeBufferPointer { f in
                for (k, i) in feasible.enumerated() { for j in 0..<m { fs[k * m + j] = f[i * m + j] } }
            }
            var fronts: [[Int]]
            if m == 2 && (sortMethod == .automatic || sortMethod == .sweep2D) {
                // Fronts listed in lexicographic order: already sorted by f1 for crowding distance
                // (the stable sort there then runs in linear time).
                let prefix = feasible.count == total ? sortedPrefix : 0
                let ranks = fs.withUnsafeBufferPointer {
                    ParetoSweep2D.ranks($0.baseAddress!, count: feasible.count, order: &lexicographicOrder, sortedPrefix: prefix)
                }
                fronts = Array(repeating: [], count: (ranks.max() ?? -1) + 1)
                for i in lexicographicOrder { fronts[ranks[i]].append(i) }
            } else {
                let ranks = fs.withUnsafeBufferPointer {
                    NonDominatedSorting.ranks($0, count: feasible.count, dimension: m, method: sortMethod)
                }
                fronts = NonDominatedSorting.fronts(fromRanks: ranks)
            }
            var distances = [Double](repeating: 0, count: feasible.count)
            let wanted = min(count, feasible.count)
            fs.withUnsafeBufferPointer { f in
                distances.withUnsafeMutableBufferPointer { d in
                    for (r, front) in fronts.enumerated() {
                        if chosen.count >= wanted { break }
                        front.withUnsafeBufferPointer { members in
                            CrowdingDistance.compute(f.baseAddress!, dimension: m, members: members, into: d.baseAddress!)
                        }
                        for (k, i) in front.enumerated() {
                            merged.rank[feasible[i]] = r
                            merged.crowding[feasible[i]] = d[k]
                        }
                        if chosen.count + front.count <= wanted {
                            for i in front { chosen.append(feasible[i]) }
                        } else {
                            // Random order first, then a stable sort by crowding descending: ties random.
                            var order = Array(0..<front.count)
                            random.shuffle(&order)
                            order.sort { a, b in d[a] > d[b] }
                            for k in order.prefix(wanted - chosen.count) { chosen.append(feasible[front[k]]) }
                        }
                    }
                }
            }
        }
        FeasibilitySplit.fill(&chosen, upTo: count, from: infeasible, in: &merged)
        // Two objectives, all feasible: write the survivors in lexicographic order.
        let sorted = !lexicographicOrder.isEmpty && feasible.count == total
        if sorted {
            var isChosen = [Bool](repeating: false, count: total)
            for i in chosen { isChosen[i] = true }
            chosen.removeAll(keepingCapacity: true)
            for k in lexicographicOrder where isChosen[feasible[k]] { chosen.append(feasible[k]) }
        }
        survivors.gather(from: merged, rows: chosen)
        return sorted
    }
}
