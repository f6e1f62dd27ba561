import Allocation
import ArgumentParser
import Basics
import FeatureData
import Foundation
import Importance
import Inference
import Reporting

/// `mipareto allocate BUNDLE --budget BPE …`: one allocation by integer program, scored on eval.
struct AllocateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocate",
        abstract: "Give each channel its own bit depth under a rate budget, driven by channel importance.",
        discussion: """
        Soft selection (docs/allocation.md): channels that matter more to the tasks keep more \
        bits. From the fit split come the relative distortion d_c(b) of channel c at b bits \
        (quantisation MSE over the channel's variance) and each task's importance scores \
        (--measure, normalised per task), combined with the task weights into a_c. Then

          minimise Σ_c a_c·d_c(b_c)  subject to  Σ_c b_c·S_c ≤ budget·Σ_c S_c

        over b_c in 0…max-bits, solved exactly (or by GLPK with --solver glpk). With --epsilon, \
        the rate is minimised instead, with one bound per task on its distortion \
        Σ_c ŝ_t,c·d_c(b_c) (GLPK; --budget then also limits the rate). The allocation is then \
        scored on the eval split, as `mipareto evaluate --allocation` would.

        Examples:
          mipareto allocate BUNDLE --budget 2 --measure variance
          mipareto allocate BUNDLE --budget 1.5 --weights left=2,right=1 -o a.json
          mipareto allocate BUNDLE --measure l1 --epsilon left=0.05,right=0.05

        Exit status: 0 allocated, 2 invalid input, 3 infeasible --epsilon (the task is named), \
        1 solver failure.
        """
    )

    @Argument(help: "The bundle directory (the folder holding bundle.json).")
    var bundle: String

    // .unconditional: `--budget -1` reaches validate() and gets a clear message.
    @Option(parsing: .unconditional, help: ArgumentHelp("Rate budget in bits per element (0…max-bits). Required unless --epsilon is given.", valueName: "bpe"))
    var budget: Double?

    @Option(help: ArgumentHelp("Importance measure: mi, l1, l2, variance, entropy, random, taylor or equal.", valueName: "measure"))
    var measure: String = ImportanceMeasure.mi.rawValue

    @Option(help: ArgumentHelp("MI estimator (--measure mi): pooled, patch or binned.", valueName: "estimator"))
    var estimator: String = MIEstimatorKind.pooled.rawValue

    @Option(help: ArgumentHelp("What MI and Taylor importance are measured against: outputs (the network's own) or labels.", valueName: "target"))
    var target: String = ImportanceTarget.outputs.rawValue

    @Option(help: ArgumentHelp("Seed of the random measure and of the MI estimators' noise.", valueName: "seed"))
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("k of the k-nearest-neighbour MI estimators.", valueName: "k"))
    var neighbors: Int = 3

    @Option(help: ArgumentHelp("Task weights of the budget form, task=w,… (normalised to sum 1; tasks not named get 0; default: equal).", valueName: "task=w,…"))
    var weights: String?

    @Option(help: ArgumentHelp("Select the ε form: per-task bounds on the relative distortion, task=v,… (tasks not named are unbounded).", valueName: "task=v,…"))
    var epsilon: String?

    @Option(help: ArgumentHelp("exact (budget form, proven optimal; the default) or glpk (any form; the ε form always uses it).", valueName: "solver"))
    var solver: String?

    @Option(name: .customLong("max-bits"), help: ArgumentHelp("Largest bit depth of a channel (1…16).", valueName: "B"))
    var maxBits: Int = 8

    @Option(help: ArgumentHelp("Stop GLPK after this many seconds and keep its best allocation.", valueName: "seconds"))
    var timeLimit: Double?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the allocation (bits, rate, metrics, settings) to this JSON file; `mipareto evaluate --allocation` reads it.", valueName: "file.json"))
    var outputFile: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard ImportanceMeasure(rawValue: measure) != nil else {
            throw ValidationError("--measure: \"\(measure)\" is not one of \(ImportanceMeasure.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard MIEstimatorKind(rawValue: estimator) != nil else {
            throw ValidationError("--estimator: \"\(estimator)\" is not one of \(MIEstimatorKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ImportanceTarget(rawValue: target) != nil else {
            throw ValidationError("--target: \"\(target)\" is not one of outputs, labels")
        }
        guard neighbors >= 1 else { throw ValidationError("--neighbors \(neighbors): must be at least 1") }
        guard (1...Quantiser.maximumBits).contains(maxBits) else {
            throw ValidationError("--max-bits \(maxBits): must be 1…\(Quantiser.maximumBits)")
        }
        if let budget {
            guard budget.isFinite, budget >= 0 else { throw ValidationError("--budget \(JSONValue.number(budget).rendered()): must be a number of bits per element ≥ 0") }
            guard budget <= Double(maxBits) else {
                throw ValidationError("--budget \(JSONValue.number(budget).rendered()): above --max-bits \(maxBits) (every channel at \(maxBits) bits is \(maxBits) bits per element)")
            }
        } else if epsilon == nil {
            throw ValidationError("--budget BPE is required (or --epsilon task=v,… for the ε form)")
        }
        if let solver {
            guard let choice = AllocationSolverChoice(rawValue: solver) else { throw ValidationError("--solver: \"\(solver)\" is not one of exact, glpk") }
            if choice == .exact, epsilon != nil {
                throw ValidationError("--solver exact solves the budget form only; the ε form (--epsilon) needs --solver glpk")
            }
        }
        if epsilon != nil, weights != nil {
            throw ValidationError("--weights applies to the budget form; with --epsilon each task has its own bound")
        }
        if let limit = timeLimit, !(limit > 0 && limit.isFinite) {
            throw ValidationError("--time-limit \(limit): must be a positive number of seconds")
        }
        do {
            _ = try weights.map { text throws(AllocationError) in try TaskValues.parse(text, flag: "--weights") }
            _ = try epsilon.map { text throws(AllocationError) in try TaskValues.parse(text, flag: "--epsilon") }
        } catch {
            throw ValidationError(error.description)
        }
        if let path = outputFile {
            // Checked before the work, so a typo does not cost a whole run.
            var isDirectory: ObjCBool = false
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("-o \(path): the folder \(folder) does not exist")
            }
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw ValidationError("-o \(path): is a directory; give a file name")
            }
        }
    }

    func run() throws {
        var options = ImportanceOptions(measure: ImportanceMeasure(rawValue: measure)!)
        options.estimator = MIEstimatorKind(rawValue: estimator)!
        options.target = ImportanceTarget(rawValue: target)!
        options.seed = seed
        options.neighbours = neighbors
        let weightValues = try weights.map { try TaskValues.parse($0, flag: "--weights") }
        let epsilonValues = try epsilon.map { try TaskValues.parse($0, flag: "--epsilon") }

        let featureBundle = try FeatureBundle(directory: bundle)
        let taskNames = featureBundle.tasks.map(\.name)
        do {
            // Task names are checked before the importance scores are computed.
            _ = try weightValues?.values(for: taskNames, flag: "--weights")
            _ = try epsilonValues?.values(for: taskNames, flag: "--epsilon")
        } catch {
            throw ExitStatusError.invalidInput(error.description)
        }

        let allocator: Allocator
        let result: AllocationResult
        do {
            allocator = try Allocator(bundle: featureBundle, importance: options, maxBits: maxBits)
            let glpk = GLPKSolver(timeLimit: timeLimit)
            if timeLimit != nil, epsilonValues == nil, (solver ?? "exact") == "exact", !output.quiet {
                CommandLineTool.printWarning("--time-limit applies to GLPK only; the exact solver always finishes")
            }
            if let epsilonValues {
                result = try allocator.allocate(epsilon: epsilonValues, budget: budget, glpk: glpk)
            } else {
                result = try allocator.allocate(budget: budget!, weights: weightValues,
                                                solver: AllocationSolverChoice(rawValue: solver ?? "exact")!, glpk: glpk)
            }
        } catch let error as AllocationError {
            switch error {
            case let .infeasible(task, message):
                if output.json {
                    var members: [(String, JSONValue)] = [("status", .string("infeasible"))]
                    if let task { members.append(("task", .string(task))) }
                    members.append(("message", .string(message)))
                    print(JSONValue.object(members).rendered(pretty: true))
                }
                throw ExitStatusError.infeasible(message)
            case let .invalidInput(message):
                throw ExitStatusError.invalidInput(message)
            case let .solverFailed(message):
                throw ExitStatusError(message: message, status: 1)
            }
        }

        let clock = ContinuousClock()
        let scoringStart = clock.now
        let quantiser = Quantiser(fitOf: featureBundle)
        let scorer = Scorer(bundle: featureBundle, split: .eval, quantiser: quantiser)
        let evaluation = scorer.score(bits: result.bits)
        let rate = Rate(bits: result.bits, quantiser: quantiser, features: featureBundle.features(for: .eval))
        let elapsed = (clock.now - scoringStart).components
        let scoringSeconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18

        let document = Self.json(bundle: featureBundle, allocator: allocator, result: result, budget: budget,
                                 weights: weightValues, epsilon: epsilonValues, maxBits: maxBits,
                                 rate: rate, evaluation: evaluation, scoringSeconds: scoringSeconds)
        if let path = outputFile {
            do {
                try AtomicFile.write(document.rendered(pretty: true) + "\n", to: URL(fileURLWithPath: path))
            } catch {
                throw ExitStatusError.invalidInput("\(error)")
            }
        }
        output.emit(json: document, text: text(featureBundle, allocator, result, rate, evaluation))
    }

    static func json(bundle: FeatureBundle, allocator: Allocator, result: AllocationResult, budget: Double?,
                     weights: TaskValues?, epsilon: TaskValues?, maxBits: Int, rate: Rate,
                     evaluation: Evaluation, scoringSeconds: Double) -> JSONValue {
        let taskNames = allocator.model.taskNames
        let scores = allocator.scores
        var members: [(String, JSONValue)] = [
            ("bundle", .string(bundle.name)),
            ("split", .string(Split.eval.rawValue)),
            ("form", .string(result.form.rawValue)),
            ("measure", .string(scores.measure.rawValue)),
        ]
        if let estimator = scores.estimator { members.append(("estimator", .string(estimator.rawValue))) }
        members.append(("budget", budget.map { .number($0) } ?? .null))
        members.append(("maxBits", .int(maxBits)))
        if let w = result.taskWeights {
            members.append(("weights", .object(zip(taskNames, w).map { ($0, .number($1)) })))
        }
        if let epsilon {
            members.append(("epsilon", .object(epsilon.entries.map { ($0.task, .number($0.value)) })))
        }
        members += [
            ("bits", .ints(result.bits)),
            ("rate", .object([
                ("bitsPerSample", .number(rate.bitsPerSample)),
                ("bpe", .number(rate.bpe)),
                ("entropyBitsPerSample", .number(rate.entropyBitsPerSample)),
                ("sideInformationBits", .int(rate.sideInformationBits)),
                ("maxBitsPerSample", .number(result.maxRate)),
            ])),
            ("objective", .number(result.objective)),
            ("distortion", .object(zip(taskNames, result.taskDistortions).map { ($0, .number($1)) })),
        ]
        var solverMembers: [(String, JSONValue)] = [
            ("name", .string(result.solution.solver)),
            ("status", .string(result.solution.status.rawValue)),
            ("optimal", .bool(result.solution.optimal)),
            ("seconds", .number(result.solution.seconds)),
        ]
        if let bound = result.solution.lowerBound { solverMembers.append(("lowerBound", .number(bound))) }
        solverMembers.append(("message", .string(result.solution.message)))
        members += [
            ("solver", .object(solverMembers)),
            ("metrics", .object(evaluation.tasks.map { ($0.name, .number($0.metric)) })),
            ("details", .object(evaluation.tasks.map { task in
                (task.name, .object(task.details.map { ($0.key, .number($0.value)) }))
            })),
            ("timings", .object([
                ("importanceSeconds", .number(allocator.importanceSeconds)),
                ("distortionTableSeconds", .number(allocator.tableSeconds)),
                ("solveSeconds", .number(result.solution.seconds)),
                ("scoringSeconds", .number(scoringSeconds)),
            ])),
        ]
        return .object(members)
    }

    func text(_ b: FeatureBundle, _ allocator: Allocator, _ result: AllocationResult, _ rate: Rate, _ evaluation: Evaluation) -> String {
        let names = allocator.model.taskNames
        var out = "\(b.name): \(allocator.scores.measure.rawValue) importance, "
        switch result.form {
        case .epsilon:
            out += "ε form (least rate with " + (epsilon ?? "") + (budget.map { ", budget \(JSONValue.number($0).rendered()) bpe" } ?? "") + ")\n"
        default:
            let w = (result.taskWeights ?? []).map { String(format: "%.3g", $0) }
            out += "budget \(JSONValue.number(budget ?? 0).rendered()) bits per element, weights " + zip(names, w).map { "\($0)=\($1)" }.joined(separator: " ") + "\n"
        }
        let s = result.solution
        out += String(format: "solver: %@, %@%@, %.6f s\n", s.solver, s.status.rawValue, s.optimal ? " (proven optimal)" : "", s.seconds)
        out += result.form == .epsilon
            ? "objective: \(result.rate) bits/sample (the ε form minimises the rate)\n"
            : "objective: \(result.objective) (Σ_c a_c·d_c(b_c))\n"
        out += "bits: \(result.bits.map(String.init).joined(separator: " "))\n"
        out += String(format: "rate: %g bits/sample (%g bits per element, limit %g bits/sample); entropy-coded estimate %.1f bits/sample\n",
                      rate.bitsPerSample, rate.bpe, result.maxRate, rate.entropyBitsPerSample)
        out += "scored on eval (\(evaluation.samples) samples):\n"
        let rows = evaluation.tasks.enumerated().map { index, task -> [String] in
            [task.name, task.kind.metricName, formatMetric(task.metric), String(format: "%.4g", result.taskDistortions[index])]
        }
        out += TextTable.render(header: ["task", "metric", "value", "relative distortion"], rows: rows)
        return out
    }
}
