import Allocation
import ArgumentParser
import Basics
import Experiments
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
    var measure: ImportanceMeasure = .mi

    @OptionGroup var importance: ImportanceArguments

    @Option(help: ArgumentHelp("Task weights of the budget form, task=w,… (normalised to sum 1; tasks not named get 0; default: equal).", valueName: "task=w,…"),
            transform: ArgumentList.weights)
    var weights: TaskValues?

    @Option(help: ArgumentHelp("Select the ε form: per-task bounds on the relative distortion, task=v,… (tasks not named are unbounded).", valueName: "task=v,…"),
            transform: ArgumentList.epsilon)
    var epsilon: TaskValues?

    @Option(help: ArgumentHelp("exact (budget form, proven optimal; the default) or glpk (any form; the ε form always uses it).", valueName: "solver"))
    var solver: AllocationSolverChoice?

    @OptionGroup var maxBits: MaxBitsOption

    @Option(help: ArgumentHelp("Stop GLPK after this many seconds and keep its best allocation.", valueName: "seconds"))
    var timeLimit: Double?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the allocation (bits, rate, metrics, settings) to this JSON file; `mipareto evaluate --allocation` reads it.", valueName: "file.json"))
    var outputFile: String?

    @Flag(name: .customLong("no-score"), help: "Only allocate: do not score the allocation (no metrics; for bundles whose tasks have no heads and no evaluator).")
    var noScore = false

    @OptionGroup var evaluator: EvaluatorOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if noScore, evaluator.evaluator != nil { throw ValidationError("--no-score and --evaluator: give one of them") }
        if let budget {
            try validating { try AllocationModel.checkBudget(budget, maxBits: maxBits.maxBits) }
        } else if epsilon == nil {
            throw ValidationError("--budget BPE is required (or --epsilon task=v,… for the ε form)")
        }
        if solver == .exact, epsilon != nil {
            throw ValidationError("--solver exact solves the budget form only; the ε form (--epsilon) needs --solver glpk")
        }
        if epsilon != nil, weights != nil {
            throw ValidationError("--weights applies to the budget form; with --epsilon each task has its own bound")
        }
        if let limit = timeLimit, !(limit > 0 && limit.isFinite) {
            throw ValidationError("--time-limit \(limit): must be a positive number of seconds")
        }
        if let path = outputFile {
            // Checked before the work, so a typo does not cost a whole run.
            let url = URL(fileURLWithPath: path)
            let folder = url.deletingLastPathComponent()
            guard folder.isExistingDirectory else { throw ValidationError("-o \(path): the folder \(folder.path) does not exist") }
            if url.isExistingDirectory { throw ValidationError("-o \(path): is a directory; give a file name") }
        }
    }

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        // Task names are checked before the importance scores are computed.
        let taskNames = featureBundle.tasks.map(\.name)
        _ = try weights?.values(for: taskNames, parameter: "weights")
        _ = try epsilon?.values(for: taskNames, parameter: "epsilon")

        let quantiser = Quantiser(fitOf: featureBundle)
        // The scorer is made before the work, so a bundle that cannot be scored fails early.
        let session = noScore ? nil : try evaluator.session(bundle: featureBundle, quantiser: quantiser, maxBits: maxBits.maxBits)
        let scoring = noScore ? nil : try evaluator.source(session).scoring(bundle: featureBundle, split: .eval, quantiser: quantiser)
        let allocator = try Allocator(bundle: featureBundle, importance: importance.options(measure: measure), maxBits: maxBits.maxBits)
        let glpk = GLPKSolver(timeLimit: timeLimit)
        if timeLimit != nil, epsilon == nil, (solver ?? .exact) == .exact, !output.quiet {
            CommandLineTool.printWarning("--time-limit applies to GLPK only; the exact solver always finishes")
        }
        let result: AllocationResult
        do throws(AllocationError) {
            if let epsilon {
                result = try allocator.allocate(epsilon: epsilon, budget: budget, glpk: glpk)
            } else {
                result = try allocator.allocate(budget: budget!, weights: weights, solver: solver ?? .exact, glpk: glpk)
            }
        } catch {
            if case let .infeasible(task, _) = error, output.json { Self.printInfeasible(task: task, error) }
            throw error
        }

        let clock = ContinuousClock()
        let scoringStart = clock.now
        let evaluation = try scoring?.score(batch: [result.bits])[0]
        session?.stop()
        let rate = Rate(bits: result.bits, quantiser: quantiser, bundle: featureBundle, split: .eval)
        let scoringSeconds = (clock.now - scoringStart).seconds

        let document = AllocationDocument.json(bundle: featureBundle, allocator: allocator, result: result, budget: budget,
                                               weights: weights, epsilon: epsilon, maxBits: maxBits.maxBits,
                                               rate: rate, evaluation: evaluation, scoringSeconds: scoringSeconds)
        if let path = outputFile {
            try AtomicFile.write(document.rendered(pretty: true) + "\n", to: URL(fileURLWithPath: path))
        }
        output.emit(json: document, text: text(featureBundle, allocator, result, rate, evaluation))
    }

    /// With `--json`, an infeasible ε form still prints one JSON object.
    static func printInfeasible(task: String?, _ error: AllocationError) {
        var members: [(String, JSONValue)] = [("status", .string("infeasible"))]
        if let task { members.append(("task", .string(task))) }
        members.append(("message", .string(error.message(flag: Flags.name))))
        print(JSONValue.object(members).rendered(pretty: true))
    }

    func text(_ b: FeatureBundle, _ allocator: Allocator, _ result: AllocationResult, _ rate: Rate, _ evaluation: Evaluation?) -> String {
        let names = allocator.model.taskNames
        var out = "\(b.name): \(allocator.scores.measure.rawValue) importance, "
        switch result.form {
        case .epsilon:
            out += "ε form (least rate with " + (epsilon?.text ?? "") + (budget.map { ", budget \(JSONValue.number($0).rendered()) bpe" } ?? "") + ")\n"
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
        guard let evaluation else {
            out += "not scored (--no-score); relative distortion per task: " + zip(names, result.taskDistortions).map { "\($0) \(String(format: "%.4g", $1))" }.joined(separator: ", ") + "\n"
            return out
        }
        out += "scored on eval (\(evaluation.samples) samples):\n"
        let rows = evaluation.tasks.enumerated().map { index, task -> [String] in
            [task.name, task.kind.metricName, formatMetric(task.metric), String(format: "%.4g", result.taskDistortions[index])]
        }
        out += TextTable.render(header: ["task", "metric", "value", "relative distortion"], rows: rows)
        return out
    }
}
