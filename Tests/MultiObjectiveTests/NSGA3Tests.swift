import Basics
import BenchmarkProblems
import Foundation
import Testing
@testable import MultiObjective

@Suite struct NSGA3Tests {
    /// Deb & Jain's sizes from the binomial C(p + M − 1, M − 1) by hand: C(14, 2) = 91 directions
    /// for p = 12, M = 3 (C(15, 2) = 105 > 92); C(10, 4) = 210 for p = 6, M = 5 (C(11, 4) = 330 > 212).
    @Test func referenceDirectionsSizedToPopulation() {
        #expect(ReferenceDirections.partitions(atMost: 92, dimension: 3) == 12)
        #expect(ReferenceDirections.sized(toPopulation: 92, objectiveCount: 3).count == 91)
        #expect(ReferenceDirections.partitions(atMost: 212, dimension: 5) == 6)
        #expect(ReferenceDirections.sized(toPopulation: 212, objectiveCount: 5).count == 210)
        // 91 is itself a lattice size; fewer points than the M unit vectors still gives p = 1.
        #expect(ReferenceDirections.partitions(atMost: 91, dimension: 3) == 12)
        #expect(ReferenceDirections.partitions(atMost: 4, dimension: 5) == 1)
        // C(63, 61) = 63·62/2 = 1953 without overflowing on the way (a naive product of 61 terms does).
        #expect(ReferenceDirections.latticeSize(dimension: 62, partitions: 2, limit: .max) == 1953)
        #expect(ReferenceDirections.latticeSize(dimension: 300, partitions: 300, limit: 1_000_000) == nil)
        for d in ReferenceDirections.sized(toPopulation: 212, objectiveCount: 5) {
            #expect(abs(d.reduce(0, +) - 1) < 1e-12 && d.allSatisfy { $0 >= 0 })
        }
    }

    /// Normalisation and association against pymoo's on fixed inputs (`NSGA3Fixtures.swift`): two
    /// updates in a row (the second starts from the first's ideal, worst and extreme points), then
    /// each point's nearest direction and distance. Tolerances: pymoo solves the hyperplane with
    /// LAPACK, we with our own elimination; the rounding differs in the last bits.
    @Test func normalisationAndAssociationMatchPymoo() throws {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(nsga3PymooFixtures.utf8)) as? [String: Any])
        let fixtures = try #require(root["fixtures"] as? [[String: Any]])
        let inputs: [([Int], Int)] = [([31, 57, 89, 113, 151], 3), ([43, 71, 97, 131, 173], 11)]
        func close(_ a: [Double], _ b: [Double], _ what: String) {
            #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) values")
            for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-12 * max(1, abs(y)), "\(what): \(a) vs pymoo \(b)") }
        }
        var checked = 0
        for fixture in fixtures {
            guard let m = fixture["m"] as? Int, let n = fixture["n"] as? Int, let steps = fixture["steps"] as? [[String: Any]] else { continue }
            var normalization = HyperplaneNormalization(objectiveCount: m, memory: [])
            let directions = DasDennis.points(dimension: m, partitions: m == 3 ? 6 : 3)
            let survival = PreparedReferenceDirectionSurvival(directions: directions, objectiveCount: m, sortMethod: .automatic)
            for (step, expected) in steps.enumerated() {
                let points = nsga3FixturePoints(count: n, dimension: m, multipliers: Array(inputs[step].0.prefix(m)), offset: inputs[step].1)
                let flat = points.flatMap { $0 }
                let front = NonDominatedSorting.nonDominatedIndices(points)
                flat.withUnsafeBufferPointer { normalization.update($0, count: n, front: front) }
                close(normalization.ideal, expected["ideal"] as! [Double], "m \(m) step \(step) ideal")
                close(normalization.worst, expected["worst"] as! [Double], "m \(m) step \(step) worst")
                close(normalization.extremes, (expected["extremes"] as! [[Double]]).flatMap { $0 }, "m \(m) step \(step) extremes")
                close(normalization.nadir, expected["nadir"] as! [Double], "m \(m) step \(step) nadir")
                let (niche, distance) = survival.associate(flat, members: Array(0..<n), normalization: normalization)
                close(niche.flatMap { directions[$0] }, (expected["nicheDirections"] as! [[Double]]).flatMap { $0 }, "m \(m) step \(step) niches")
                close(distance, expected["distances"] as! [Double], "m \(m) step \(step) distances")
                // The memory carries exactly what the next update needs.
                let restored = HyperplaneNormalization(objectiveCount: m, memory: normalization.memory)
                #expect(restored.ideal == normalization.ideal && restored.worst == normalization.worst && restored.extremes == normalization.extremes)
                checked += 1
            }
        }
        #expect(checked == 4)
        // Every point on one line: the extreme points span no plane, so pymoo falls back to the
        // worst of the front; the constant third objective then takes the worst of the population.
        let degenerate = try #require(fixtures.last?["degenerate"] as? [String: Any])
        var normalization = HyperplaneNormalization(objectiveCount: 3, memory: [])
        let line = (0...10).flatMap { k -> [Double] in let t = Double(k) / 10; return [t, 1 - t, 0.5] }
        line.withUnsafeBufferPointer { normalization.update($0, count: 11, front: Array(0...10)) }
        close(normalization.extremes, (degenerate["extremes"] as! [[Double]]).flatMap { $0 }, "degenerate extremes")
        close(normalization.nadir, degenerate["nadir"] as! [Double], "degenerate nadir")
    }

    /// Niching by hand: directions 0 and 2 have no member yet, direction 1 has one. Last-front
    /// members sit on directions [0, 0, 2, 1] at distances [0.5, 0.1, 0.3, 0.2]. Two places: both
    /// empty directions admit one each, the nearest of theirs: members 1 and 2, whatever the draws.
    @Test func nichingFillsEmptyDirectionsWithTheirNearest() {
        for seed in 0..<20 {
            var random = SeededRandom(seed: UInt64(seed))
            var count = [0, 1, 0]
            let chosen = PreparedReferenceDirectionSurvival.niching(2, nicheCount: &count, niche: [0, 0, 2, 1],
                                                                    distance: [0.5, 0.1, 0.3, 0.2], random: &random)
            #expect(Set(chosen) == [1, 2] && count == [1, 1, 1])
        }
        // Three places: after the two empty directions, all three have one member; the third
        // place goes to one of the remaining members 0 (direction 0) and 3 (direction 1).
        var random = SeededRandom(seed: 1)
        var count = [0, 1, 0]
        let chosen = PreparedReferenceDirectionSurvival.niching(3, nicheCount: &count, niche: [0, 0, 2, 1],
                                                                distance: [0.5, 0.1, 0.3, 0.2], random: &random)
        #expect(Set(chosen.prefix(2)) == [1, 2] && (chosen[2] == 0 || chosen[2] == 3))
    }

    /// Survivors are whole fronts plus part of the next, so sorting them again gives the ranks
    /// survival wrote (what checkpoint validation relies on).
    @Test func survivorsCarryTheirRanks() throws {
        let problem = try TestProblems.make("dtlz2")
        let nsga = try GeneticAlgorithm(problem: problem, settings: .nsga3(populationSize: 92), seed: 5)
        nsga.run(until: .generations(10))
        let p = nsga.state.population
        #expect(p.count == 92)
        let ranks = NonDominatedSorting.ranks((0..<p.count).map(p.objectives(of:)))
        #expect(ranks == p.rank)
        #expect(nsga.state.survivalMemory.count == 2 * 3 + 9)
    }

    /// Stop at generation 17, checkpoint through JSON text, resume to 40: identical to one run of
    /// 40 (population, generator and normalisation memory).
    @Test(arguments: [("dtlz2", 3), ("dtlz1", 5)])
    func resumeAfterCheckpointEqualsUninterruptedRun(name: String, objectives: Int) throws {
        let problem = try TestProblems.make(name, objectives: objectives)
        let settings = AlgorithmSettings.nsga3(populationSize: objectives == 3 ? 92 : 212)
        let whole = try GeneticAlgorithm(problem: problem, settings: settings, seed: 11)
        whole.run(until: .generations(40))
        let first = try GeneticAlgorithm(problem: problem, settings: settings, seed: 11)
        first.run(until: .generations(17))
        let text = try first.checkpoint().encoded()
        let resumed = try GeneticAlgorithm(resuming: try AlgorithmCheckpoint.decode(text), problem: problem)
        resumed.run(until: .generations(40))
        #expect(resumed.state == whole.state)
        #expect(resumed.checkpoint().settings == settings)
    }

    /// Constraint handling (pymoo's `filter_infeasible`): the final population is feasible and
    /// covers the segment x + y = 1 (bar as for NSGA-II: 0.69 of the true 0.71).
    @Test func constrainedProblemReachesItsFront() throws {
        let nsga = try GeneticAlgorithm(problem: SegmentProblem(), settings: .nsga3(populationSize: 100), seed: 2)
        nsga.run(until: .generations(200))
        #expect(nsga.state.population.violation.allSatisfy { $0 == 0 })
        let hv = Hypervolume.compute(nsga.front, reference: [1.1, 1.1])
        #expect(hv > 0.69 && hv < 0.71, "HV \(hv)")
    }
}
