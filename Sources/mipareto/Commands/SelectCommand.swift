import ArgumentParser
import Basics
import FeatureData
import Foundation
import Importance
import Reporting

/// `mipareto select BUNDLE --measures mi,l1,… [--weights t=w,…] [--split eval] [-o DIR]`.
struct SelectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select",
        abstract: "Hard selection: keep the top-k channels of each measure, drop the rest, score every task for k = 1…C.",
        discussion: """
        For each measure, channels are ranked per task (by that task's scores) and once for all \
        tasks together (ranking "all": each task's scores normalised to sum 1, weighted by --weights). \
        The top k channels stay at full precision; the others are dropped (replaced by their fit-split \
        mean). The curve of a task ranking reports that task's metric; the "all" curve reports the \
        weighted mean over tasks of metric/clean. area = the mean over k of metric/clean (higher is \
        better; 1 = as good as clean at every k).

        Examples:
          mipareto select examples/data/digits-pair-mini
          mipareto select BUNDLE --measures mi,variance,random --split search
          mipareto select BUNDLE --measures mi,taylor --weights left=2 -o sel
        """
    )

    @Argument(help: "The bundle directory (the folder holding bundle.json).")
    var bundle: String

    @Option(help: ArgumentHelp("Comma-separated measures: \(ImportanceMeasure.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "M,…"))
    var measures: String = "mi,l1,l2,variance,random,taylor"

    @Option(help: ArgumentHelp("Task weights of the \"all\" ranking, e.g. left=2,right=1 (tasks not named get 1).", valueName: "t=w,…"))
    var weights: String?

    @Option(help: ArgumentHelp("Samples to score: eval, fit, search (even eval samples) or report (odd eval samples).", valueName: "split"))
    var split: String = "eval"

    @OptionGroup var importance: ImportanceArguments

    @Option(name: .shortAndLong, help: ArgumentHelp("Output folder for select.csv and select.svg (created if missing).", valueName: "DIR"))
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        _ = try parsedMeasures()
        guard Split(rawValue: split) != nil else { throw ValidationError("--split: \"\(split)\" is not one of eval, fit, search, report") }
    }

    func parsedMeasures() throws -> [ImportanceMeasure] { try MeasureList.parse(measures) }

    /// One weight per task; every name must be a task of the bundle.
    static func parseWeights(_ text: String?, tasks: [String]) throws -> [Double] {
        var weights = [Double](repeating: 1, count: tasks.count)
        guard let text else { return weights }
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let w = Double(parts[1]), w.isFinite, w >= 0 else {
                throw ExitStatusError.invalidInput("--weights: \"\(item)\" is not task=weight with a weight ≥ 0")
            }
            guard let t = tasks.firstIndex(of: parts[0]) else {
                throw ExitStatusError.invalidInput("--weights: unknown task \"\(parts[0])\" (tasks: \(tasks.joined(separator: ", ")))")
            }
            weights[t] = w
        }
        guard weights.contains(where: { $0 > 0 }) else { throw ExitStatusError.invalidInput("--weights: at least one weight must be positive") }
        return weights
    }

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        let taskNames = featureBundle.tasks.map(\.name)
        let weightVector = try Self.parseWeights(weights, tasks: taskNames)
        let chosenSplit = Split(rawValue: split)!
        let outputDirectory = output.map { URL(fileURLWithPath: $0) }
        if let outputDirectory {
            do { try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true) } catch {
                throw ExitStatusError.invalidInput("--output: cannot create \(outputDirectory.path): \(error.localizedDescription)")
            }
        }
        var allScores: [ImportanceScores] = []
        for measure in try parsedMeasures() {
            allScores.append(try ImportanceCalculator.scores(bundle: featureBundle, options: try importance.options(measure: measure)))
        }
        // Progress on stderr only when it is a terminal, and never with --quiet.
        let showProgress = !outputOptions.quiet && isatty(STDERR_FILENO) != 0
        let result = HardSelection.run(bundle: featureBundle, scores: allScores, weights: weightVector, split: chosenSplit) { done, total in
            guard showProgress else { return }
            FileHandle.standardError.write(Data("\rselect: ranking \(done)/\(total)\(done == total ? "\n" : "")".utf8))
        }

        if let outputDirectory {
            try AtomicFile.write(Self.csv(result).text, to: outputDirectory.appendingPathComponent("select.csv"))
            try AtomicFile.write(Self.chart(result, bundle: featureBundle.name).svg(), to: outputDirectory.appendingPathComponent("select.svg"))
        }
        outputOptions.emit(json: Self.json(result, bundle: featureBundle.name, estimator: importance.estimator.rawValue), text: text(result, bundle: featureBundle.name))
    }

    static func json(_ r: HardSelection.Result, bundle: String, estimator: String) -> JSONValue {
        var area: [String: [(String, JSONValue)]] = [:]
        var measureOrder: [String] = []
        for curve in r.curves {
            let m = curve.measure.rawValue
            if area[m] == nil { area[m] = []; measureOrder.append(m) }
            area[m]!.append((curve.ranking, .number(curve.area)))
        }
        return .object([
            ("bundle", .string(bundle)),
            ("split", .string(r.split.rawValue)),
            ("estimator", .string(estimator)),
            ("clean", .object(zip(r.taskNames, r.clean).map { ($0, .number($1)) })),
            ("weights", .object(zip(r.taskNames, r.weights).map { ($0, .number($1)) })),
            ("curves", .array(r.curves.map { c in
                .object([
                    ("measure", .string(c.measure.rawValue)),
                    ("task", .string(c.ranking)),
                    ("k", .ints(c.k)),
                    ("metric", .numbers(c.metric)),
                    ("order", .ints(c.order)),
                    ("metrics", .object(zip(r.taskNames, c.metrics).map { ($0, .numbers($1)) })),
                ])
            })),
            ("area", .object(measureOrder.map { ($0, .object(area[$0]!)) })),
        ])
    }

    static func csv(_ r: HardSelection.Result) -> CSVTable {
        var table = CSVTable(header: ["measure", "ranking", "task", "k", "metric", "clean"])
        for c in r.curves {
            for (t, task) in r.taskNames.enumerated() {
                for (i, k) in c.k.enumerated() {
                    table.append([c.measure.rawValue, c.ranking, task, String(k), CSVTable.number(c.metrics[t][i]), CSVTable.number(r.clean[t])])
                }
            }
        }
        return table
    }

    /// One panel per task: that task's metric vs k under its own ranking, one line per measure;
    /// a last panel for the weighted ranking.
    static func chart(_ r: HardSelection.Result, bundle: String) -> Chart {
        let panels = r.taskNames.enumerated().map { t, task in
            ChartPanel(title: task, xLabel: "channels kept (k)", yLabel: FrontChart.axisLabel(r.metricNames[t]),
                       series: r.curves.filter { $0.ranking == task }.map { c in
                           ChartSeries(name: c.measure.rawValue, points: zip(c.k, c.metric).map { (Double($0), $1) }, style: .line)
                       },
                       referenceLines: [ReferenceLine(y: r.clean[t], label: "clean")])
        }
        // And the weighted ranking: every task's metric/clean, weighted (1 = clean).
        let all = ChartPanel(title: "all tasks (weighted ranking)", xLabel: "channels kept (k)", yLabel: "weighted metric / clean",
                             series: r.curves.filter { $0.ranking == HardSelection.combinedRanking }.map { c in
                                 ChartSeries(name: c.measure.rawValue, points: zip(c.k, c.metric).map { (Double($0), $1) }, style: .line)
                             },
                             referenceLines: [ReferenceLine(y: 1, label: "clean")])
        return Chart(title: "\(bundle): hard selection on \(r.split.rawValue) (top-k channels by each task's ranking, the rest dropped)", panels: panels + [all])
    }

    func text(_ r: HardSelection.Result, bundle: String) -> String {
        var out = "\(bundle): hard selection on \(r.split.rawValue), k = 1…\(r.curves.first?.k.count ?? 0); area = mean over k of metric/clean\n"
        let rankings = r.taskNames + [HardSelection.combinedRanking]
        var measureOrder: [ImportanceMeasure] = []
        for c in r.curves where !measureOrder.contains(c.measure) { measureOrder.append(c.measure) }
        let rows = measureOrder.map { m -> [String] in
            [m.rawValue] + rankings.map { name in
                r.curves.first { $0.measure == m && $0.ranking == name }.map { String(format: "%.4f", $0.area) } ?? "-"
            }
        }
        out += TextTable.render(header: ["measure"] + rankings, rows: rows)
        return out
    }
}
