import Basics
import FeatureData
import Foundation
import Importance
import Inference
import MultiObjective
import Testing
@testable import Experiments

/// The searches' answer is their archive (issue 14): on `search`, no seed dominates it; the
/// archive survives a checkpoint; NSGA-III runs beside NSGA-II under its own name.
@Suite("front: archived nsga2/nsga3")
struct ArchivedSearchTests {
    static let mini = Paths.mini.path

    /// Objectives on `search` as the searches see them (TrueMetricProblem's).
    static func searchObjectives(_ bundle: FeatureBundle, _ allocations: [[Int]], maxBits: Int) throws -> [[Double]] {
        let problem = try TrueMetricProblem(bundle: bundle, split: .search, maxBits: maxBits)
        return try allocations.map { try problem.objectives(bits: $0) }
    }

    static func weaklyDominates(_ a: [Double], _ b: [Double]) -> Bool { zip(a, b).allSatisfy { $0 <= $1 } }

    @Test("seeded from ILP, more seeds than the population: every seed is covered by the archive on search, HV on search ≥ every ILP method's")
    func archiveCoversSeeds() throws {
        let bundle = try FeatureBundle(directory: Self.mini)
        // 2 ILP methods × 16 budgets: up to 32 seeds for a population of 8.
        let budgets = (1...16).map { Double($0) * 0.25 }
        let settings = FrontSettings(methods: [.ilp(.l1), .ilp(.variance), .nsga2, .nsga3], budgets: budgets, maxBits: 4, seeds: [2],
                                     population: 8, generations: 3, seedFromILP: true)
        let result = try FrontRunner(bundle: bundle, settings: settings).run()
        let bits = { (m: String) in result.points.filter { $0.method == m }.map(\.bits) }
        let seeds = bits("ilp-l1") + bits("ilp-variance")
        #expect(Set(seeds).count > settings.population)
        let seedObjectives = try Self.searchObjectives(bundle, seeds, maxBits: 4)
        let problem = try TrueMetricProblem(bundle: bundle, split: .search, maxBits: 4)
        for search in ["nsga2", "nsga3"] {
            let front = try Self.searchObjectives(bundle, bits(search), maxBits: 4)
            #expect(!front.isEmpty)
            // Not dominated among themselves (the archive is a non-dominated set).
            #expect(NonDominatedSorting.nonDominatedIndices(front).count == front.count, "\(search)")
            for (k, s) in seedObjectives.enumerated() {
                #expect(front.contains { Self.weaklyDominates($0, s) }, "\(search): seed \(k) \(seeds[k]) not covered")
            }
            let reference = [Double](repeating: 1, count: problem.objectiveCount)
            let hv = Hypervolume.compute(front, reference: reference)
            for ilp in ["ilp-l1", "ilp-variance"] {
                let own = try Self.searchObjectives(bundle, bits(ilp), maxBits: 4)
                #expect(hv >= Hypervolume.compute(own, reference: reference), "\(search) vs \(ilp) on search")
            }
        }
        let summary = FrontReport.summary(result).rendered(pretty: false)
        #expect(summary.contains("\"nsga2\":{\"population\":8") && summary.contains("\"nsga3\":{\"population\":8"))
    }

    @Test("nsga3 and nsga2 differ (other survival), each deterministic per seed")
    func nsga3IsItsOwnMethod() throws {
        let bundle = try FeatureBundle(directory: Self.mini)
        let settings = FrontSettings(methods: [.nsga2, .nsga3], maxBits: 4, seeds: [1], population: 8, generations: 4)
        let a = try FrontRunner(bundle: bundle, settings: settings).run()
        let b = try FrontRunner(bundle: bundle, settings: settings).run()
        #expect(a.points == b.points)
        let n2 = a.points.filter { $0.method == "nsga2" }.map(\.bits), n3 = a.points.filter { $0.method == "nsga3" }.map(\.bits)
        #expect(!n3.isEmpty && n2 != n3)
        #expect(FrontRunner.searchSettings(.nsga3, population: 8).survival is ReferenceDirectionSurvival)
        #expect(FrontRunner.searchSettings(.nsga2, population: 8).keepsArchive && FrontRunner.searchSettings(.nsga3, population: 8).keepsArchive)
    }

    @Test("a run resumed from generation 2 of 4 gives the same points as one never stopped (the archive is in the checkpoint)")
    func resumeKeepsArchive() throws {
        let bundle = try FeatureBundle(directory: Self.mini)
        let fingerprint = FrontCheckpoint.fingerprint(of: bundle)
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("archive-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temp) }
        func settings(_ g: Int) -> FrontSettings {
            FrontSettings(methods: [.ilp(.l1), .nsga2, .nsga3], budgets: [1, 2, 3], maxBits: 4, seeds: [5], population: 8, generations: g, seedFromILP: true)
        }
        let whole = try FrontRunner(bundle: bundle, settings: settings(4)).run()
        // A run that stopped after generation 2: its checkpoint, under the identity of the 4-generation run.
        let early = temp.appendingPathComponent("early"), resumed = temp.appendingPathComponent("resumed")
        _ = try FrontRunner(bundle: bundle, settings: settings(2)).run(checkpoint: FrontCheckpoint(creating: early, identity: .init(bundle: bundle.name, fingerprint: fingerprint, settings: settings(2))))
        let identity = FrontCheckpoint.Identity(bundle: bundle.name, fingerprint: fingerprint, settings: settings(4))
        _ = try FrontCheckpoint(creating: resumed, identity: identity)
        for name in ["nsga2-5.json", "nsga3-5.json", FrontCheckpoint.pointsName(method: "ilp-l1", seed: 5)] {
            try FileManager.default.copyItem(at: early.appendingPathComponent(name), to: resumed.appendingPathComponent(name))
        }
        let state = try #require(try FrontCheckpoint(resuming: resumed, identity: identity).searchState(method: "nsga2", seed: 5))
        #expect(state.state.generation == 2 && (state.state.archive?.count ?? 0) > 0)
        let again = try FrontRunner(bundle: bundle, settings: settings(4)).run(checkpoint: FrontCheckpoint(resuming: resumed, identity: identity))
        #expect(again.points == whole.points)
        #expect(FrontReport.summary(again).rendered(pretty: true) == FrontReport.summary(whole).rendered(pretty: true))
    }
}
