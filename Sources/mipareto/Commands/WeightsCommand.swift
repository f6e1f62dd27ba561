import Allocation
import ArgumentParser
import Basics
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

    @Option(help: ArgumentHelp("Comma-separated measures to compare: \(ImportanceMeasure.allCases.map(\.rawValue).joined(separator: ", ")). The first named wins ties.", valueName: "M,…"))
    var measures: String = "mi,l1,variance,random,equal"

    @Option(help: ArgumentHelp("Grid divisions H: weights are multiples of 1/H (default: 10 for 2–3 tasks, else the smallest giving ≥ 50 points).", valueName: "H"))
    var divisions: Int?

    @Option(help: ArgumentHelp("Weigh only these tasks, e.g. left,right (default: every task).", valueName: "t,…"))
    var tasks: String?

    @Option(help: ArgumentHelp("Samples to score: eval, fit, search (even eval samples) or report (odd eval samples).", valueName: "split"))
    var split: String = Split.eval.rawValue

    @Option(name: .customLong("max-bits"), help: ArgumentHelp("Largest bit depth of a channel (1…16).", valueName: "B"))
    var maxBits: Int = 8

    @OptionGroup var importance: ImportanceArguments

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output folder for weights.csv and weights.svg (created if missing).", valueName: "DIR"))
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    /// Beyond this many grid points a run would take hours: ask for fewer divisions instead.
    static let largestGrid = 20_000

    func validate() throws {
        _ = try MeasureList.parse(measures)
        guard Split(rawValue: split) != nil else { throw ValidationError("--split: \"\(split)\" is not one of eval, fit, search, report") }
        guard (1...Quantiser.maximumBits).contains(maxBits) else {
            throw ValidationError("--max-bits \(maxBits): must be 1…\(Quantiser.maximumBits)")
        }
        guard budget.isFinite, budget >= 0 else { throw ValidationError("--budget \(JSONValue.number(budget).rendered()): must be a number of bits per element ≥ 0") }
        guard budget <= Double(maxBits) else {
            throw ValidationError("--budget \(JSONValue.number(budget).rendered()): above --max-bits \(maxBits) (every channel at \(maxBits) bits is \(maxBits) bits per element)")
        }
        if let divisions, divisions < 1 { throw ValidationError("--divisions \(divisions): must be at least 1") }
        if let output {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ValidationError("-o \(output): is a file; give a folder for weights.csv and weights.svg")
            }
        }
    }

    func run() throws {
        let measureList = try MeasureList.parse(measures)
        let chosenSplit = Split(rawValue: split)!
        let featureBundle = try FeatureBundle(directory: bundle)
        let taskNames = tasks.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? featureBundle.tasks.map(\.name)
        let h = divisions ?? WeightAnalysis.defaultDivisions(tasks: taskNames.count)
        let size = WeightAnalysis.gridSize(tasks: taskNames.count, divisions: h)
        do {
            // Everything the user typed is checked before the importance scores are computed.
            _ = try WeightAnalysis.taskIndices(of: taskNames, in: featureBundle)
            guard size <= Self.largestGrid else {
                throw AllocationError.invalidInput("--divisions \(h): \(size) weight vectors for \(taskNames.count) tasks; at most \(Self.largestGrid), give fewer divisions")
            }
        } catch let error as AllocationError {
            throw ExitStatusError.invalidInput(error.description)
        }

        let clock = ContinuousClock()
        let start = clock.now
        let showProgress = !outputOptions.quiet && isatty(STDERR_FILENO) != 0
        let analysis: WeightAnalysis
        do {
            let allocators = try WeightAnalysis.allocators(bundle: featureBundle, importance: try measureList.map(importance.options(measure:)), maxBits: maxBits)
            analysis = try WeightAnalysis.run(bundle: featureBundle, allocators: allocators, budget: budget, split: chosenSplit,
                                              tasks: taskNames, grid: WeightAnalysis.grid(tasks: taskNames.count, divisions: h)) { done, total in
                guard showProgress else { return }
                FileHandle.standardError.write(Data("\rweights: \(done)/\(total) weight vectors\(done == total ? "\n" : "")".utf8))
            }
        } catch let error as AllocationError {
            switch error {
            case let .invalidInput(message), let .infeasible(_, message): throw ExitStatusError.invalidInput(message)
            case let .solverFailed(message): throw ExitStatusError(message: message, status: 1)
            }
        }
        let elapsed = (clock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18

        if let output {
            // Both documents are rendered before anything is written: a failure leaves DIR as it was.
            let csv = Self.csv(analysis).text
            let svg = Self.map(analysis, bundle: featureBundle.name).svg()
            let directory = URL(fileURLWithPath: output)
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try AtomicFile.write(csv, to: directory.appendingPathComponent("weights.csv"))
                try AtomicFile.write(svg, to: directory.appendingPathComponent("weights.svg"))
            } catch {
                throw ExitStatusError.invalidInput("-o \(output): \(error.localizedDescription)")
            }
        }
        outputOptions.emit(json: Self.json(analysis, bundle: featureBundle.name, maxBits: maxBits, divisions: h, seconds: seconds),
                           text: Self.text(analysis, bundle: featureBundle.name, divisions: h, output: output))
    }

    static func json(_ a: WeightAnalysis, bundle: String, maxBits: Int, divisions: Int, seconds: Double) -> JSONValue {
        let names = a.measures.map(\.rawValue)
        return .object([
            ("bundle", .string(bundle)),
            ("budget", .number(a.budget)),
            ("maxBits", .int(maxBits)),
            ("split", .string(a.split.rawValue)),
            ("tasks", .array(a.taskNames.map { .string($0) })),
            ("measures", .array(names.map { .string($0) })),
            ("divisions", .int(divisions)),
            ("clean", .object(zip(a.taskNames, a.clean).map { ($0, .number($1)) })),
            ("wins", .object(zip(names, a.wins).map { ($0, .int($1)) })),
            ("scoredAllocations", .int(a.allocations.count)),
            ("seconds", .number(seconds)),
            ("grid", .array(a.points.map { p in
                .object([
                    ("weights", .object(zip(a.taskNames, p.weights).map { ($0, .number($1)) })),
                    ("best", .string(names[p.best])),
                    ("values", .object(zip(names, p.losses).map { ($0, .number($1)) })),
                ])
            })),
        ])
    }

    /// Column names are snake_case whatever the task is called.
    static func column(_ prefix: String, _ name: String) -> String {
        prefix + String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    static func csv(_ a: WeightAnalysis) -> CSVTable {
        var table = CSVTable(header: a.taskNames.map { column("w_", $0) } + ["best"] + a.measures.map { column("loss_", $0.rawValue) })
        for p in a.points {
            table.append(p.weights.map(CSVTable.number) + [a.measures[p.best].rawValue] + p.losses.map(CSVTable.number))
        }
        return table
    }

    static func map(_ a: WeightAnalysis, bundle: String) -> WeightMap {
        let names = a.measures.map(\.rawValue).joined(separator: ", ")
        let compared = names.count <= 40 ? names : "\(a.measures.count) measures"
        return WeightMap(title: "\(bundle), \(JSONValue.number(a.budget).rendered()) bpe on \(a.split.rawValue): lowest weighted loss of \(compared)",
                         taskNames: a.taskNames, weights: a.points.map(\.weights), winners: a.points.map { a.measures[$0.best].rawValue },
                         methods: a.measures.map(\.rawValue))
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
