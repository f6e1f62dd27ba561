import Basics
import Foundation

/// NSGA-II's binary tournament as pymoo runs it (`comp_by_dom_and_crowding`): if either competitor
/// violates constraints, the smaller violation wins; otherwise a Pareto-dominating competitor wins;
/// otherwise the larger crowding distance; remaining ties are broken at random.
///
/// Competitors are drawn as pymoo draws them: consecutive pairs from concatenated random
/// permutations of the population, so every individual competes about equally often.
public struct TournamentSelection: Sendable {
    public init() {}

    /// Writes `count` winners (indices into `population`) to `winners`.
    public func select(_ population: Population, count: Int, random: inout SeededRandom, into winners: inout [Int]) {
        let size = population.count
        let m = population.objectiveCount
        winners.removeAll(keepingCapacity: true)
        var permutation = [Int](0..<size)
        var cursor = size
        @inline(__always) func nextCompetitor(_ random: inout SeededRandom) -> Int {
            if cursor == size {
                for i in 0..<size { permutation[i] = i }
                random.shuffle(&permutation)
                cursor = 0
            }
            defer { cursor += 1 }
            return permutation[cursor]
        }
        population.f.withUnsafeBufferPointer { f in
            for _ in 0..<count {
                let a = nextCompetitor(&random), b = nextCompetitor(&random)
                let va = population.violation[a], vb = population.violation[b]
                var winner: Int
                if va > 0 || vb > 0 {
                    winner = va < vb ? a : (vb < va ? b : -1)
                } else {
                    switch Dominance.relation(f.baseAddress! + a * m, f.baseAddress! + b * m, count: m) {
                    case 1: winner = a
                    case -1: winner = b
                    default:
                        let ca = population.crowding[a], cb = population.crowding[b]
                        winner = ca > cb ? a : (cb > ca ? b : -1)
                    }
                }
                if winner < 0 { winner = random.nextUnit() < 0.5 ? a : b }
                winners.append(winner)
            }
        }
    }
}
