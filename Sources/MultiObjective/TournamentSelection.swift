import Basics
import Foundation

/// NSGA-II's binary tournament as pymoo runs it (`comp_by_dom_and_crowding`): if either competitor
/// violates constraints, the smaller violation wins; otherwise a Pareto-dominating competitor wins;
/// otherwise the larger crowding distance; remaining ties are broken at random. Competitors come
/// from `CompetitorStream` (pymoo's concatenated random permutations).
public struct TournamentSelection: MatingSelection {
    public static let kind = "tournament"
    public init() {}

    public func select(_ population: Population, count: Int, random: inout SeededRandom, into winners: inout [Int]) {
        let m = population.objectiveCount
        winners.removeAll(keepingCapacity: true)
        var competitors = CompetitorStream(populationSize: population.count)
        population.f.withUnsafeBufferPointer { f in
            for _ in 0..<count {
                let a = competitors.next(&random), b = competitors.next(&random)
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
