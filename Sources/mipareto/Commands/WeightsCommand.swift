import Allocation
import ArgumentParser
import Experiments
import FeatureData
import Foundation
import Importance
import Reporting

/// `mipareto weights BUNDLE --budget BPE --measures mi,l1,… [-o DIR]`: which measure wins where
/// on the simplex of task weights.
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Task-weight analysis: which importance measure's allocation loses least, for every mix of task weights.",
        discussion: """
        The multi-objective analysis of Alvar & Bajić (arXiv 2405.09077). For every weight vector w \
        of a grid on the simplex (weights ≥ 0 summing to 1) and every measure, the budget-form \
        allocation with those task weights is found (as `mipareto allocate --budget BPE --measure M \
        --weights w` would), scored on --split, and judged by its weighted metric loss

          L(w) = Σ_t w_t·(1 − metric_t/clean_t)

        (clean_t: the task's metric on unquantised features, same split). The measure with the lowest L wins the point (a tie goes to the measure named first).

        Grid: two tasks give a line of H+1 points, three a triangle of (H+1)(H+2)/2 (H = 10 by \
        default); with more tasks, the smallest Das–Dennis lattice with at least 50 points, unless \
        --divisions H is given. --tasks restricts the weights to some of the tasks (the others get \
        weight 0 and do not count in the loss), e.g. a two-task line.

        With -o DIR: DIR/weights.csv (one row per weight vector: w_<task> columns, best, \
        loss_<measure> columns) and DIR/weights.svg (the simplex coloured by the winner).

        Examples:
          mipareto weights BUNDLE --budget 2 --measures mi,l1,equal
          mipareto weights BUNDLE --budget 1.5 --tasks left,right -o w
          mipareto weights BUNDLE --budget 2 --split report --json
        """
    )

    @Argument(help: "The bundle directory (the folder holding bundle.json).")
    var bundle: String

    // .unconditional: `--budget -1` reaches validate() and gets a clear message.
    @Option(parsing: .unconditional, help: ArgumentHelp("Rate budget in bits per element (0…max-bits), the same for every allocation.", valueName: "bpe"))
    var budget: Double

    @Option(help: ArgumentHelp("Comma-separated measures to compare: \(ImportanceMeasure.allCases.map(\.rawValue).joined(separator: ", ")). The first named wins ties.", valueName: "M,…"),
            transform: argument(ArgumentList.measures))
    var measures: [ImportanceMeasure] = [.mi, .l1, .variance, .random, .equal]

    @Option(help: ArgumentHelp("Grid divisions H: weights are multiples of 1/H (default: 10 for 2–3 tasks, else the smallest giving ≥ 50 points).", valueName: "H"))
    var divisions: Int?

    @Option(help: ArgumentHelp("Weigh only these tasks, e.g. left,right (default: every task).", valueName: "t,…"), transform: ArgumentList.names)
    var tasks: [String]?

    @OptionGroup var split: SplitOption

    @OptionGroup var maxBits: MaxBitsOption

    @OptionGroup var importance: ImportanceArguments

    @OptionGroup var evaluator: EvaluatorOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output folder for weights.csv and weights.svg (created if missing).", valueName: "DIR"))
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    /// Beyond this many grid points a run would take hours: ask for fewer divisions instead.
    static let largestGrid = 20_000

    func validate() throws {
        try validating { try AllocationModel.checkBudget(budget, maxBits: maxBits.maxBits) }
        if let divisions, divisions < 1 { throw ValidationError("--divisions \(divisions): must be at least 1") }
        if let output { try OutputFolder.check(output) }
    }

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        let taskNames = tasks ?? featureBundle.tasks.map(\.name)
        let h = divisions ?? WeightAnalysis.defaultDivisions(tasks: taskNames.count)
        // Everything the user typed is checked before the importance scores are computed.
        _ = try WeightAnalysis.taskIndices(of: taskNames, in: featureBundle)
        let size = WeightAnalysis.gridSize(tasks: taskNames.count, divisions: h)
        guard size <= Self.largestGrid else {
            throw ExitStatusError.invalidInput("--divisions \(h): \(size) weight vectors for \(taskNames.count) tasks; at most \(Self.largestGrid), give fewer divisions")
        }

        let clock = ContinuousClock()
        let start = clock.now
        let allocators = try WeightAnalysis.allocators(bundle: featureBundle, importance: measures.map(importance.options(measure:)), maxBits: maxBits.maxBits)
        let quantiser = Quantiser(fitOf: featureBundle)
        let session = try evaluator.session(bundle: featureBundle, quantiser: quantiser, maxBits: maxBits.maxBits)
        let scoring = try evaluator.source(session).scoring(bundle: featureBundle, split: split.split, quantiser: quantiser)
        let bar = outputOptions.progress("weights")
        let analysis: WeightAnalysis
        do {
            analysis = try WeightAnalysis.run(bundle: featureBundle, scoring: scoring, allocators: allocators, budget: budget,
                                              tasks: taskNames, grid: WeightAnalysis.grid(tasks: taskNames.count, divisions: h)) { done, total in
                bar.update(done: done, of: total, detail: "\(done)/\(total) weight vectors")
            }
        } catch let AllocationError.infeasible(_, message) {
            throw AllocationError.invalidInput(message)
        }
        bar.finish()
        session?.stop()
        let seconds = (clock.now - start).seconds

        if let output {
            // Both documents are rendered before anything is written: a failure leaves DIR as it was.
            try OutputFolder.write([("weights.csv", WeightsReport.csv(analysis).text),
                                    ("weights.svg", WeightsReport.map(analysis, bundle: featureBundle.name).svg())], to: output)
        }
        outputOptions.emit(json: WeightsReport.json(analysis, bundle: featureBundle.name, maxBits: maxBits.maxBits, divisions: h, seconds: seconds),
                           text: Self.text(analysis, bundle: featureBundle.name, divisions: h, output: output))
    }

    static func text(_ a: WeightAnalysis, bundle: String, divisions: Int, output: String?) -> String {
        let names = a.measures.map(\.rawValue)
        var out = "\(bundle): \(a.points.count) task-weight vectors (multiples of 1/\(divisions)) over \(a.taskNames.joined(separator: ", ")); "
        out += "budget \(JSONValue.number(a.budget).rendered()) bits per element; scored on \(a.split.rawValue)\n"
        out += "loss = Σ_t w_t·(1 − metric_t/clean_t); the lowest loss wins a point (ties: the measure named first)\n"
        let total = Double(max(1, a.points.count))
        let rows = a.measures.indices.map { m -> [String] in
            let mean = a.points.reduce(0) { $0 + $1.losses[m] } / total
            return [names[m], String(a.wins[m]), String(format: "%.0f%%", 100 * Double(a.wins[m]) / total), String(format: "%.4f", mean)]
        }
        out += TextTable.render(header: ["measure", "wins", "share", "mean loss"], rows: rows)
        // A few telling points: each task alone, and the most balanced weights.
        var shown: [Int] = []
        for t in a.taskNames.indices {
            if let i = a.points.firstIndex(where: { $0.weights[t] == 1 }) { shown.append(i) }
        }
        let spread = { (w: [Double]) in (w.max() ?? 0) - (w.min() ?? 0) }
        if let centre = a.points.indices.min(by: { spread(a.points[$0].weights) < spread(a.points[$1].weights) }), !shown.contains(centre) {
            shown.append(centre)
        }
        out += "some grid points (loss per measure):\n"
        let pointRows = shown.map { i -> [String] in
            let p = a.points[i]
            return p.weights.map { String(format: "%.2f", $0) } + p.losses.map { String(format: "%.4f", $0) } + [names[p.best]]
        }
        out += TextTable.render(header: a.taskNames.map { "w(\($0))" } + names + ["best"], rows: pointRows)
        if let output { out += "wrote \(output)/weights.csv and \(output)/weights.svg\n" }
        return out
    }
}
