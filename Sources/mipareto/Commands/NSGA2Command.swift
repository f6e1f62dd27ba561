import ArgumentParser
import Basics
import BenchmarkProblems
import Foundation
import MultiObjective
import Reporting

/// `mipareto nsga2`: the generic NSGA-II optimiser on a benchmark problem with a known front.
struct NSGA2Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nsga2",
        abstract: "Run NSGA-II on a benchmark problem (ZDT, DTLZ) and score the front it finds.",
        discussion: """
        Minimises a standard test problem with NSGA-II (SBX, polynomial mutation, pymoo's defaults) \
        and reports the final non-dominated front with its hypervolume (exact; reference point = the \
        true front's nadir + 0.1, i.e. 1.1 in every objective for ZDT1-3 and DTLZ2) and its IGD \
        against about 1000 points of the true front.

        Problems: \(TestProblems.names.joined(separator: ", ")). Defaults: ZDT1-3 n = 30, ZDT4/6 n = 10; \
        DTLZ M = 3 objectives, n = M + k - 1 with k = 5 (DTLZ1), 10 (DTLZ2-6), 20 (DTLZ7).

        --generations G counts the initial population as the first generation, so a run costs \
        P x G evaluations (P = 100, G = 250: 25 000, pymoo's n_gen = 250).

        Long runs: --checkpoint FILE saves the whole state (population, random generator, \
        generation) every --checkpoint-every generations and at the end; --resume FILE continues \
        such a run exactly as if it had never stopped (give the final --generations).

        Examples:
          mipareto nsga2 --problem zdt1 --seed 1 --json
          mipareto nsga2 --problem dtlz2 --objectives 4 --generations 400 -o front.csv
          mipareto nsga2 --problem zdt3 --generations 100 --checkpoint run.json
          mipareto nsga2 --resume run.json --generations 250
        """
    )

    @Option(help: "Test problem: \(TestProblems.names.joined(separator: ", ")). Optional with --resume.")
    var problem: String?

    @Option(help: "Number of decision variables (default: the problem's standard size).")
    var variables: Int?

    @Option(help: "Number of objectives, DTLZ only (default 3).")
    var objectives: Int?

    @Option(help: "nsga2, or nsga3 (NSGA-III: Das–Dennis reference directions sized to the population, Deb & Jain's normalisation).")
    var algorithm: SearchAlgorithm = .nsga2

    @Option(help: "Population size: an even number >= 4.")
    var population = 100

    @Option(help: "Generations, the initial population included: population x generations evaluations.")
    var generations = 250

    @Option(help: "Random seed; the same seed gives the same front on any machine.")
    var seed: UInt64 = 1

    @Option(help: "Save a checkpoint (JSON) to this file while running and at the end.")
    var checkpoint: String?

    @Option(help: "Generations between checkpoints.")
    var checkpointEvery = 10

    @Option(help: "Continue the run saved in this checkpoint file.")
    var resume: String?

    @Option(name: [.customShort("o"), .long], help: "Write the final front to this CSV file (columns f1, f2, …).")
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if problem == nil && resume == nil { throw ValidationError("--problem: give a problem name (or --resume FILE)") }
        if population < 4 || population % 2 != 0 {
            throw ValidationError("--population: must be an even number >= 4 (got \(population))")
        }
        if generations < 1 { throw ValidationError("--generations: must be at least 1 (got \(generations))") }
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every: must be at least 1") }
        if let n = variables, n < 1 { throw ValidationError("--variables: must be positive (got \(n))") }
    }

    func run() throws {
        let nsga: NSGA2
        let testProblem: any KnownFrontProblem
        let start: DispatchTime
        if let resume {
            let saved: NSGA2Checkpoint
            do { saved = try NSGA2Checkpoint.read(from: URL(fileURLWithPath: resume)) } catch let e as CheckpointError {
                throw ExitStatusError.invalidInput(e.description)
            }
            let (n, m) = NSGA2Command.sizes(in: saved.problemParameters)
            testProblem = try makeProblem(problem ?? saved.problem, variables: variables ?? n, objectives: objectives ?? m)
            start = .now()
            do { nsga = try NSGA2(resuming: saved, problem: testProblem) } catch let e as CheckpointError {
                throw ExitStatusError.invalidInput("\(resume): \(e.reason)")
            }
        } else {
            testProblem = try makeProblem(problem!, variables: variables, objectives: objectives)
            start = .now()
            do {
                nsga = try NSGA2(problem: testProblem, settings: algorithm.settings(populationSize: population), seed: seed)
            } catch let e as ProblemError {
                throw ExitStatusError.invalidInput("--population: \(e)")
            }
        }

        let checkpointURL = checkpoint.map { URL(fileURLWithPath: $0) }
        let bar = outputOptions.progress("nsga2")
        let target = generations
        let every = checkpointEvery
        try nsga.run(until: .generations(target)) { state in
            if let url = checkpointURL, state.generation % every == 0 { try saveCheckpoint(nsga, to: url) }
            bar.update(done: state.generation, of: target, detail: "generation \(state.generation)/\(target)")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        bar.finish()
        if let url = checkpointURL { try saveCheckpoint(nsga, to: url) }

        let front = nsga.front
        let hypervolume = Hypervolume.compute(front, reference: testProblem.referencePoint)
        let igd = DistanceIndicators.invertedGenerationalDistance(front, reference: testProblem.trueFront())

        if let output {
            var table = CSVTable(header: (1...testProblem.objectiveCount).map { "f\($0)" })
            for p in front { table.append(p.map(CSVTable.number)) }
            try AtomicFile.write(table.text, to: URL(fileURLWithPath: output))
        }

        let state = nsga.state
        // The key is written for NSGA-III only, so NSGA-II's output stays as it was.
        let algorithmMember: [(String, JSONValue)] = nsga.settings.survival is ReferenceDirectionSurvival ? [("algorithm", .string("nsga3"))] : []
        outputOptions.emit(
            json: .object(algorithmMember + [
                ("problem", .string(testProblem.name)),
                ("variables", .int(testProblem.variables.count)),
                ("objectives", .int(testProblem.objectiveCount)),
                ("population", .int(nsga.settings.populationSize)),
                ("generations", .int(state.generation)),
                ("evaluations", .int(state.evaluations)),
                ("hypervolume", .number(hypervolume)),
                ("referencePoint", .numbers(testProblem.referencePoint)),
                ("igd", .number(igd)),
                ("seconds", .number(seconds)),
                ("front", .array(front.map { .numbers($0) })),
            ]),
            text: """
            problem      \(testProblem.name) (n = \(testProblem.variables.count), M = \(testProblem.objectiveCount))
            evaluations  \(state.evaluations) (population \(nsga.settings.populationSize), \(state.generation) generations)
            hypervolume  \(String(format: "%.6f", hypervolume)) (reference \(testProblem.referencePoint.map { JSONValue.number($0).rendered() }.joined(separator: ", ")))
            igd          \(String(format: "%.6f", igd))
            front        \(front.count) non-dominated points\(output.map { " -> \($0)" } ?? "")
            seconds      \(String(format: "%.4f", seconds))

            """
        )
    }

    private func makeProblem(_ name: String, variables: Int?, objectives: Int?) throws -> any KnownFrontProblem {
        do { return try TestProblems.make(name, variables: variables, objectives: objectives) } catch let e as ProblemError {
            switch e {
            case .unknownProblem: throw ExitStatusError.invalidInput("--problem: \(e)")
            default: throw ExitStatusError.invalidInput("--problem \(name): \(e)")
            }
        }
    }

    private func saveCheckpoint(_ nsga: NSGA2, to url: URL) throws {
        do { try nsga.checkpoint().write(to: url) } catch {
            throw ExitStatusError.invalidInput("--checkpoint: \(url.path): cannot write: \(error.localizedDescription)")
        }
    }

    /// `n` and `M` from a checkpoint's parameter text (`n=30 M=2`).
    static func sizes(in parameters: String) -> (Int?, Int?) {
        var n: Int?, m: Int?
        for part in parameters.split(separator: " ") {
            if part.hasPrefix("n=") { n = Int(part.dropFirst(2)) }
            if part.hasPrefix("M=") { m = Int(part.dropFirst(2)) }
        }
        return (n, m)
    }
}

/// The algorithms of `mipareto nsga2 --algorithm`.
enum SearchAlgorithm: String, ExpressibleByArgument, CaseIterable {
    case nsga2, nsga3

    func settings(populationSize: Int) -> AlgorithmSettings {
        switch self {
        case .nsga2: return .nsga2(populationSize: populationSize)
        case .nsga3: return .nsga3(populationSize: populationSize)
        }
    }
}
