import Allocation
import ArgumentParser
import Experiments
import FeatureData
import Importance
import Inference

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

    @Option(help: ArgumentHelp("Comma-separated measures: \(ImportanceMeasure.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "M,…"),
            transform: argument(ArgumentList.measures))
    var measures: [ImportanceMeasure] = [.mi, .l1, .l2, .variance, .random, .taylor]

    @Option(help: ArgumentHelp("Task weights of the \"all\" ranking, e.g. left=2,right=1 (tasks not named get 1).", valueName: "t=w,…"),
            transform: ArgumentList.weights)
    var weights: TaskValues?

    @OptionGroup var split: SplitOption

    @Option(name: .customLong("kept-bits"), help: ArgumentHelp("Depth of a kept channel (default: unquantised with the bundle's heads; 16 with --evaluator, which takes depths only).", valueName: "B"))
    var keptBits: Int?

    @OptionGroup var evaluator: EvaluatorOptions

    @OptionGroup var importance: ImportanceArguments

    @Option(name: .shortAndLong, help: ArgumentHelp("Output folder for select.csv and select.svg (created if missing).", valueName: "DIR"))
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if let output { try OutputFolder.check(output) }
        if let keptBits, !(1...Quantiser.maximumBits).contains(keptBits) {
            throw ValidationError("--kept-bits \(keptBits): must be 1…\(Quantiser.maximumBits)")
        }
    }

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        let weightVector = try weights?.weights(for: featureBundle.tasks.map(\.name), parameter: "weights", unnamed: 1)
            ?? [Double](repeating: 1, count: featureBundle.tasks.count)
        let scores = try measures.map { try ImportanceCalculator.scores(bundle: featureBundle, options: importance.options(measure: $0)) }
        let quantiser = Quantiser(fitOf: featureBundle)
        let session = try evaluator.session(bundle: featureBundle, quantiser: quantiser)
        let scoring = try evaluator.source(session).scoring(bundle: featureBundle, split: split.split, quantiser: quantiser)
        let bar = outputOptions.progress("select")
        let kept = keptBits ?? (session == nil ? nil : Quantiser.maximumBits)
        let result = try SelectionRun.run(bundle: featureBundle, scoring: scoring, scores: scores, weights: weightVector, keptBits: kept) { done, total in
            bar.update(done: done, of: total, detail: "ranking \(done)/\(total)")
        }
        bar.finish()
        session?.stop()
        if let output {
            try OutputFolder.write([("select.csv", SelectionReport.csv(result).text),
                                    ("select.svg", SelectionReport.chart(result, bundle: featureBundle.name).svg())], to: output)
        }
        outputOptions.emit(json: SelectionReport.json(result, bundle: featureBundle.name, estimator: importance.estimator.rawValue),
                           text: text(result, bundle: featureBundle.name))
    }

    func text(_ r: SelectionRun.Result, bundle: String) -> String {
        var out = "\(bundle): hard selection on \(r.split.rawValue), k = 1…\(r.curves.first?.k.count ?? 0); area = mean over k of metric/clean\n"
        let rankings = r.taskNames + [SelectionRun.combinedRanking]
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
