import Basics
import Foundation

/// NSGA-III's survival (Deb & Jain 2014) as pymoo 0.6.2's `ReferenceDirectionSurvival`: feasible
/// members are sorted into fronts, admitted front by front until the front that does not fit
/// whole (the last front); the objectives are normalised (`HyperplaneNormalization`), every member
/// is associated with the reference direction nearest in perpendicular distance, and the last
/// front is filled by niching — repeatedly, a direction with the fewest members admitted so far
/// (ties at random) admits one of its last-front members: the nearest if it has none yet, a
/// random one otherwise. Infeasible members follow by increasing violation if too few are
/// feasible. Survivors carry their rank (crowding is not used and is 0).
public struct ReferenceDirectionSurvival: Survival {
    public static let kind = "referenceDirection"
    /// The reference directions (one row of M non-negative numbers each); nil: sized to the
    /// population when the run starts (`ReferenceDirections.sized(toPopulation:objectiveCount:)`).
    public var directions: [[Double]]?
    public var sortMethod: NonDominatedSortMethod

    public init(directions: [[Double]]? = nil, sortMethod: NonDominatedSortMethod = .automatic) {
        self.directions = directions
        self.sortMethod = sortMethod
    }

    public func validate() throws {
        if let directions, let problem = ReferenceDirections.problem(with: directions, objectiveCount: nil) {
            throw ProblemError.invalidParameter(problem)
        }
    }

    public func prepared(objectiveCount m: Int, populationSize: Int) throws -> any Survival {
        let resolved = directions ?? ReferenceDirections.sized(toPopulation: populationSize, objectiveCount: m)
        if let problem = ReferenceDirections.problem(with: resolved, objectiveCount: m) {
            throw ProblemError.invalidParameter(problem)
        }
        return PreparedReferenceDirectionSurvival(directions: resolved, objectiveCount: m, sortMethod: sortMethod)
    }

    public func survive(_ merged: inout Population, count: Int, memory: inout [Double], random: inout SeededRandom,
                        into survivors: inout Population, sortedPrefix: Int) -> Bool {
        let m = merged.objectiveCount
        guard let prepared = try? prepared(objectiveCount: m, populationSize: count) else {
            preconditionFailure("reference directions do not fit \(m) objectives (validate() before use)")
        }
        return prepared.survive(&merged, count: count, memory: &memory, random: &random, into: &survivors, sortedPrefix: sortedPrefix)
    }

    public func memoryProblem(_ memory: [Double], objectiveCount: Int) -> String? {
        HyperplaneNormalization.memoryProblem(memory, objectiveCount: objectiveCount)
    }
}

/// The survival with its directions resolved and laid out flat (never written to a checkpoint:
/// settings keep the unprepared part).
struct PreparedReferenceDirectionSurvival: Survival {
    static let kind = "preparedReferenceDirection"
    let m: Int
    let directionCount: Int
    /// Row-major directions scaled to unit length (the distance to a line does not depend on
    /// the length of its direction vector).
    let units: [Double]
    let sortMethod: NonDominatedSortMethod

    init(directions: [[Double]], objectiveCount m: Int, sortMethod: NonDominatedSortMethod) {
        self.m = m
        directionCount = directions.count
        units = directions.flatMap { d in
            let norm = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return d.map { $0 / norm }
        }
        self.sortMethod = sortMethod
    }

    func memoryProblem(_ memory: [Double], objectiveCount: Int) -> String? {
        HyperplaneNormalization.memoryProblem(memory, objectiveCount: objectiveCount)
    }

    func survive(_ merged: inout Population, count: Int, memory: inout [Double], random: inout SeededRandom,
                 into survivors: inout Population, sortedPrefix: Int) -> Bool {
        let (feasible, infeasible) = FeasibilitySplit.split(merged)
        var chosen: [Int] = []
        if !feasible.isEmpty {
            var fs = [Double](repeating: 0, count: feasible.count * m)
            merged.f.withUnsafeBufferPointer { f in
                for (k, i) in feasible.enumerated() { for j in 0..<m { fs[k * m + j] = f[i * m + j] } }
            }
            let ranks = fs.withUnsafeBufferPointer { NonDominatedSorting.ranks($0, count: feasible.count, dimension: m, method: sortMethod) }
            let fronts = NonDominatedSorting.fronts(fromRanks: ranks)
            var normalization = HyperplaneNormalization(objectiveCount: m, memory: memory)
            fs.withUnsafeBufferPointer { normalization.update($0, count: feasible.count, front: fronts[0]) }
            memory = normalization.memory

            // Fronts up to the one that does not fit whole.
            let wanted = min(count, feasible.count)
            var used = 0, admitted = 0
            while admitted < wanted { admitted += fronts[used].count; used += 1 }
            var picked = fronts[0..<(used - 1)].flatMap { $0 }
            let last = fronts[used - 1]
            if admitted == wanted {
                picked += last
            } else {
                let (niche, distance) = associate(fs, members: picked + last, normalization: normalization)
                var nicheCount = [Int](repeating: 0, count: directionCount)
                for k in 0..<picked.count { nicheCount[niche[k]] += 1 }
                let lastNiche = Array(niche[picked.count...]), lastDistance = Array(distance[picked.count...])
                for k in Self.niching(wanted - picked.count, nicheCount: &nicheCount, niche: lastNiche, distance: lastDistance,
                                      random: &random) {
                    picked.append(last[k])
                }
            }
            for k in picked {
                merged.rank[feasible[k]] = ranks[k]
                merged.crowding[feasible[k]] = 0
                chosen.append(feasible[k])
            }
        }
        FeasibilitySplit.fill(&chosen, upTo: count, from: infeasible, in: &merged)
        survivors.gather(from: merged, rows: chosen)
        return false
    }

    /// Each member's nearest direction and perpendicular distance, in normalised objectives
    /// (f − ideal) / (nadir − ideal), a zero range taken as 10⁻¹² (pymoo's `associate_to_niches`).
    func associate(_ fs: [Double], members: [Int], normalization: HyperplaneNormalization) -> (niche: [Int], distance: [Double]) {
        var niche = [Int](repeating: 0, count: members.count)
        var distance = [Double](repeating: 0, count: members.count)
        var scale = [Double](repeating: 0, count: m)
        for j in 0..<m {
            let d = normalization.nadir[j] - normalization.ideal[j]
            scale[j] = d == 0 ? 1e-12 : d
        }
        var point = [Double](repeating: 0, count: m)
        units.withUnsafeBufferPointer { u in
            for (k, i) in members.enumerated() {
                for j in 0..<m { point[j] = (fs[i * m + j] - normalization.ideal[j]) / scale[j] }
                var best = Double.infinity, bestDirection = 0
                for r in 0..<directionCount {
                    // |(v·û) û − v|, the distance from v to the line through û, as pymoo computes
                    // it (not as |v|² − (v·û)², which cancels for points near the line).
                    let d = u.baseAddress! + r * m
                    var dot = 0.0
                    for j in 0..<m { dot += point[j] * d[j] }
                    var squared = 0.0
                    for j in 0..<m {
                        let e = dot * d[j] - point[j]
                        squared += e * e
                    }
                    if squared < best { best = squared; bestDirection = r }
                }
                niche[k] = bestDirection
                distance[k] = best.squareRoot()
            }
        }
        return (niche, distance)
    }

    /// pymoo's `niching`: the positions (into the last front) of `remaining` members chosen one per
    /// least-crowded direction per round.
    static func niching(_ remaining: Int, nicheCount: inout [Int], niche: [Int], distance: [Double],
                        random: inout SeededRandom) -> [Int] {
        var chosen: [Int] = []
        var available = [Bool](repeating: true, count: niche.count)
        while chosen.count < remaining {
            let toSelect = remaining - chosen.count
            // Directions that still have available members, ascending, and the least count among them.
            var directions = Array(Set((0..<niche.count).lazy.filter { available[$0] }.map { niche[$0] })).sorted()
            let fewest = directions.map { nicheCount[$0] }.min()!
            directions = directions.filter { nicheCount[$0] == fewest }
            random.shuffle(&directions)
            for direction in directions.prefix(toSelect) {
                var members = (0..<niche.count).filter { available[$0] && niche[$0] == direction }
                random.shuffle(&members)
                var pick = members[0]
                if nicheCount[direction] == 0 {
                    // Nearest; ties go to the earliest after the shuffle, i.e. at random.
                    for k in members where distance[k] < distance[pick] { pick = k }
                }
                available[pick] = false
                chosen.append(pick)
                nicheCount[direction] += 1
            }
        }
        return chosen
    }
}
