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
        compared with. A task without a head shows no clean metric (null in --json, a dash in the \
        table) unless --evaluator gives it.
        """
    )

    @Argument(help: "The bundle directory (the folder holding bundle.json).")
    var bundle: String

    @OptionGroup var evaluator: EvaluatorOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        // The quantiser's statistics (a pass over the fit split) only when something is scored:
        // a bundle without heads is checked at the speed of reading it.
        let scored = evaluator.evaluator != nil || featureBundle.tasks.contains(where: \.hasHead)
        let quantiser = scored ? Quantiser(fitOf: featureBundle) : nil
        let session = try quantiser.flatMap { try evaluator.session(bundle: featureBundle, quantiser: $0) }
        session?.stop()
        let clean = try CleanMetrics(bundle: featureBundle, quantiser: quantiser, evaluator: session)
        output.emit(json: EvaluationReport.inspection(bundle: featureBundle, clean: clean, evaluator: session),
                    text: text(featureBundle, clean: clean, evaluator: session))
    }

    func text(_ b: FeatureBundle, clean: CleanMetrics, evaluator session: EvaluatorSession?) -> String {
        let shape = b.isMultiStream ? "streams " + b.streams.map { "\($0.name) \($0.sampleShape)" }.joined(separator: ", ")
                                    : "per-sample shape \(b.channelShape)"
        var out = "\(b.name): \(b.channels) channels, \(shape), \(b.samples(.fit)) fit / \(b.samples(.eval)) eval samples\n"
        out += "clean metrics (no quantisation):\n"
        let rows = b.tasks.enumerated().map { index, task in
            [task.name, task.kind.rawValue, task.kind.metricName, clean.fit[index].map(formatMetric) ?? "-", clean.eval[index].map(formatMetric) ?? "-"]
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
