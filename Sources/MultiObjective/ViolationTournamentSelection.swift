import Basics
import Foundation

/// NSGA-III's binary tournament as pymoo 0.6.2 runs it (`comp_by_cv_then_random`): if either
/// competitor violates constraints, the smaller violation wins (ties at random); between two
/// feasible competitors the winner is random. Niching in the survival does the rest, so mating
/// needs no dominance or crowding. Competitors come from `CompetitorStream`.
public struct ViolationTournamentSelection: MatingSelection {
    public static let kind = "violationTournament"
    public init() {}

    public func select(_ population: Population, count: Int, random: inout SeededRandom, into winners: inout [Int]) {
        winners.removeAll(keepingCapacity: true)
        var competitors = CompetitorStream(populationSize: population.count)
        for _ in 0..<count {
            let a = competitors.next(&random), b = competitors.next(&random)
            let va = population.violation[a], vb = population.violation[b]
            var winner = -1
            if va > 0 || vb > 0 { winner = va < vb ? a : (vb < va ? b : -1) }
            if winner < 0 { winner = random.nextUnit() < 0.5 ? a : b }
            winners.append(winner)
        }
    }
}
