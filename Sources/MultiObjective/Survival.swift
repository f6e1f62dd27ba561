import Basics
import Foundation

/// Chooses who lives on from parents and offspring (pymoo's `Survival`): NSGA-II's rank and
/// crowding, NSGA-III's reference directions.
///
/// A survival may remember something between generations (NSGA-III keeps its ideal point, worst
/// point and extreme points): that memory is a flat list of numbers the algorithm stores in its
/// state and checkpoints, so a resumed run continues exactly; empty for memoryless survivals.
public protocol Survival: AlgorithmPart {
    /// The survival made ready for a problem with `objectiveCount` objectives and a population of
    /// `populationSize` (NSGA-III sizes its reference directions here). The default is itself.
    func prepared(objectiveCount: Int, populationSize: Int) throws -> any Survival

    /// Writes the `count` survivors of `merged` into `survivors` (resized to `count`), with the
    /// `rank` and `crowding` the mating selection reads.
    ///
    /// `sortedPrefix` says how many leading rows of `merged` are in lexicographic order of their
    /// objectives, a speed hint the result must not depend on; the return value says whether the
    /// survivors are written in that order (so the next generation can pass them as its prefix).
    func survive(_ merged: inout Population, count: Int, memory: inout [Double], random: inout SeededRandom,
                 into survivors: inout Population, sortedPrefix: Int) -> Bool

    /// Why `memory` (read from a checkpoint) cannot be this survival's for `objectiveCount`
    /// objectives, or nil when it can. The default accepts only an empty memory.
    func memoryProblem(_ memory: [Double], objectiveCount: Int) -> String?
}

extension Survival {
    public func prepared(objectiveCount: Int, populationSize: Int) throws -> any Survival { self }

    public func memoryProblem(_ memory: [Double], objectiveCount: Int) -> String? {
        memory.isEmpty ? nil : "this survival keeps no memory (got \(memory.count) numbers)"
    }
}

/// What every survival here does with constraints (pymoo's `Survival(filter_infeasible=True)`):
/// the feasible members compete among themselves; if fewer than the survivors wanted are
/// feasible, the infeasible follow in order of increasing violation.
enum FeasibilitySplit {
    /// Indices of the feasible and the infeasible rows, each ascending.
    static func split(_ population: Population) -> (feasible: [Int], infeasible: [Int]) {
        var feasible: [Int] = [], infeasible: [Int] = []
        feasible.reserveCapacity(population.count)
        for i in 0..<population.count {
            if population.violation[i] > 0 { infeasible.append(i) } else { feasible.append(i) }
        }
        return (feasible, infeasible)
    }

    /// Tops `chosen` up to `count` with the least-violating of `infeasible` (ties by index), whose
    /// rank becomes `Int32.max` and crowding 0.
    static func fill(_ chosen: inout [Int], upTo count: Int, from infeasible: [Int], in merged: inout Population) {
        guard chosen.count < count else { return }
        var order = infeasible
        order.sort { a, b in merged.violation[a] != merged.violation[b] ? merged.violation[a] < merged.violation[b] : a < b }
        for i in order.prefix(count - chosen.count) {
            merged.rank[i] = Int(Int32.max)
            merged.crowding[i] = 0
            chosen.append(i)
        }
    }
}
