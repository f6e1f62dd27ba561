import Basics
import BenchmarkProblems
import Foundation
import Testing
@testable import MultiObjective

/// A part from outside the library: flips one random variable to its mirror image in the bounds.
struct MirrorMutation: MutationOperator {
    static let kind = "test.mirror"
    func mutate(_ x: UnsafeMutablePointer<Double>, space: VariableSpace, random: inout SeededRandom) {
        let i = random.nextInt(below: space.count)
        x[i] = space.lower[i] + space.upper[i] - x[i]
    }
}

/// Stops once the front has at least `points` points, counting how often it was asked.
struct FrontSizeTermination: TerminationCriterion {
    let algorithm: GeneticAlgorithm
    let points: Int
    var asked = 0
    mutating func isReached(_ progress: AlgorithmProgress) -> Bool {
        asked += 1
        return algorithm.front.count >= points || progress.generation >= 500
    }
}

@Suite struct PartTests {
    /// Settings survive their JSON form, parts compared by kind and parameters.
    @Test func settingsRoundTrip() throws {
        var archived = AlgorithmSettings.nsga3(populationSize: 20, referenceDirections: [[1, 0], [0.5, 0.5], [0, 1]])
        archived.keepsArchive = true
        archived.offspringCount = 10
        for settings in [AlgorithmSettings(), .integer(populationSize: 12), .nsga3(), archived] {
            let data = try JSONEncoder().encode(settings)
            #expect(try JSONDecoder().decode(AlgorithmSettings.self, from: data) == settings)
        }
        #expect(AlgorithmSettings() != .nsga3(populationSize: 100))
        #expect(AlgorithmSettings.integer(populationSize: 12) == AlgorithmSettings(populationSize: 12).usingIntegerOperators())
    }

    /// A custom mutation runs in the loop; its checkpoint is read only with a catalog that knows
    /// it, and then resumes exactly.
    @Test func customPartRunsAndResumesThroughTheCatalog() throws {
        let problem = try TestProblems.make("zdt1", variables: 8)
        let settings = AlgorithmSettings(populationSize: 16, mutation: MirrorMutation())
        let whole = try GeneticAlgorithm(problem: problem, settings: settings, seed: 2)
        whole.run(until: .generations(20))
        let first = try GeneticAlgorithm(problem: problem, settings: settings, seed: 2)
        first.run(until: .generations(9))
        let data = try first.checkpoint().encoded()
        #expect { try AlgorithmCheckpoint.decode(data) } throws: { error in
            "\(error)".contains("unknown part kind 'test.mirror'")
        }
        let catalog = PartCatalog.builtIn.adding(MirrorMutation.self)
        let resumed = try GeneticAlgorithm(resuming: try AlgorithmCheckpoint.decode(data, catalog: catalog), problem: problem)
        resumed.run(until: .generations(20))
        #expect(resumed.state == whole.state)
        #expect(whole.state != (try GeneticAlgorithm(problem: problem, settings: AlgorithmSettings(populationSize: 16), seed: 2)).state)
    }

    /// A stateful criterion of the caller's: asked before every generation (and once more at the end).
    @Test func customTermination() throws {
        let nsga = try GeneticAlgorithm(problem: try TestProblems.make("zdt2"), settings: AlgorithmSettings(populationSize: 40), seed: 1)
        var calls = 0
        nsga.run(until: FrontSizeTermination(algorithm: nsga, points: 40)) { _ in calls += 1 }
        #expect(nsga.front.count >= 40 && nsga.state.generation == calls + 1 && calls > 0)
    }

    /// A version-1 checkpoint (written by MIPareto before swappable parts: `mipareto nsga2 --problem
    /// zdt1 --variables 4 --population 8 --generations 3 --checkpoint`) resumes as that version
    /// resumed it: the front after `--resume … --generations 7`, printed by that binary.
    @Test func version1CheckpointResumesAsBefore() throws {
        let checkpoint = try AlgorithmCheckpoint.decode(Data(Self.version1.utf8))
        #expect(checkpoint.settings == AlgorithmSettings(populationSize: 8) && checkpoint.version == 2)
        let resumed = try GeneticAlgorithm(resuming: checkpoint, problem: try TestProblems.make("zdt1", variables: 4))
        resumed.run(until: .generations(7))
        #expect(resumed.state.evaluations == 56)
        #expect(resumed.front == Self.version1Front)
    }

    static let version1 = #"""
{"format":"mipareto-nsga2-checkpoint","problem":"zdt1","problemParameters":"n=4 M=2","settings":{"crossover":{"simulatedBinary":{"_0":{"eta":20,"exchangeProbability":0.5,"probability":0.9,"variableProbability":0.5}}},"eliminateDuplicates":true,"mutation":{"polynomial":{"_0":{"eta":20}}},"parallelEvaluation":false,"populationSize":8,"sortMethod":"automatic"},"state":{"evaluations":24,"generation":3,"population":{"constraintCount":0,"count":8,"crowding":["inf","inf","inf",1,0.967799636606779,"inf",0.43706958960464287,"inf"],"f":[0.07458534854667054,2.2781548867300128,0.08045594420585356,2.3279876111770417,0.08045594420585356,2.3644201285166093,0.09733786080482479,1.684151958539072,0.4657703260813828,1.7849842732524666,0.6971784165599615,1.2380988775006747,0.6971784165599615,1.3152610044984334,0.7011436784250754,1.2528923302568753],"g":[],"objectiveCount":2,"rank":[0,1,2,0,1,0,1,1],"variableCount":4,"violation":[0,0,0,0,0,0,0,0],"x":[0.07458534854667054,0.46685244286266586,0.04582016886292939,0.06377436450823715,0.08045594420585356,0.4913599357943824,0.04582016886292939,0.06377436450823715,0.08045594420585356,0.5147454092384478,0.038156838975344054,0.061316046982296896,0.09733786080482479,0.15804187885295837,0.15839054539201924,0.06377436450823715,0.4657703260813828,0.1435720367444362,0.12822606689325222,0.3811844466906177,0.6971784165599615,0.10045619008538342,0.07104521606921232,0.3548331559547735,0.6971784165599615,0.09488393228019032,0.07104521606921232,0.39504137021258656,0.7011436784250754,0.0824846755174253,0.07104521606921232,0.3811844466906177]},"random":{"state":[11960360638116026584,10989961988788749764,2267522741731080851,3728907174236101186]}},"version":1}
"""#
    static let version1Front: [[Double]] = [[0.06658912479152818, 2.3058487254625173], [0.07458534854667054, 2.125173320968736], [0.08740109821086178, 1.340445487461475], [0.09885089429372962, 1.0091587116417242], [0.6751405917051645, 0.5631817263396142], [0.6785507467212925, 0.4828319026873045], [0.7769053130613354, 0.4310053720851886], [0.8426720416171609, 0.3732257056259241]]
}
