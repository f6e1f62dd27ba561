import ArgumentParser
import Experiments
import FeatureData
import Inference

/// `mipareto inspect BUNDLE`: load and validate a bundle, run every head on clean features.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Check a feature bundle and score every task on its clean (unquantised) features.",
        discussion: """
        Loads BUNDLE (a directory with bundle.json, see docs/format.md), checks every file it names \
        (shapes, label ranges, finite features, heads that chain), then runs each task head on the \
        fit and eval features as they are. The clean metrics are the ceiling every allocation is \
        compared with.
        """
    )

    @Argument(help: "The bundle directory (the folder holding bundle.json).")
    var bundle: String

    @OptionGroup var evaluator: EvaluatorOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        let quantiser = Quantiser(fitOf: featureBundle)
        let fit = Scorer(bundle: featureBundle, split: .fit, quantiser: quantiser).scoreClean()
        let eval = Scorer(bundle: featureBundle, split: .eval, quantiser: quantiser).scoreClean()
        let session = try evaluator.session(bundle: featureBundle, quantiser: quantiser)
        session?.stop()
        output.emit(json: EvaluationReport.inspection(bundle: featureBundle, fit: fit, eval: eval, evaluator: session),
                    text: text(featureBundle, fit: fit, eval: eval, evaluator: session))
    }

    func text(_ b: FeatureBundle, fit: Evaluation, eval: Evaluation, evaluator session: EvaluatorSession?) -> String {
        var out = "\(b.name): \(b.channels) channels, per-sample shape \(b.channelShape), \(b.samples(.fit)) fit / \(b.samples(.eval)) eval samples\n"
        out += "clean metrics (no quantisation):\n"
        let rows = b.tasks.enumerated().map { index, task in
            [task.name, task.kind.rawValue, task.kind.metricName, formatMetric(fit.tasks[index].metric), formatMetric(eval.tasks[index].metric)]
        }
        out += TextTable.render(header: ["task", "kind", "metric", "fit", "eval"], rows: rows)
        if let session {
            let splits = Split.allCases.filter(session.splits.contains)
            out += "clean metrics from the evaluator (\(session.command)):\n"
            out += TextTable.render(header: ["task"] + splits.map(\.rawValue),
                                    rows: session.tasks.map { t in [t.name] + splits.map { formatMetric(t.clean[$0]!) } })
        }
        return out
    }
}
