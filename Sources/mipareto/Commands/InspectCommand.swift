import ArgumentParser
import FeatureData
import Foundation
import Inference
import Reporting

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

    @OptionGroup var output: OutputOptions

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        let quantiser = Quantiser(fitOf: featureBundle)
        let fit = Scorer(bundle: featureBundle, split: .fit, quantiser: quantiser).scoreClean()
        let eval = Scorer(bundle: featureBundle, split: .eval, quantiser: quantiser).scoreClean()

        let tasks: [JSONValue] = featureBundle.tasks.enumerated().map { index, task in
            .object([
                ("name", .string(task.name)),
                ("kind", .string(task.kind.rawValue)),
                ("metric", .string(task.kind.metricName)),
                ("classes", .int(task.classes)),
                ("outputShape", .ints(task.head.outputShape)),
                ("clean", .object([("fit", .number(fit.tasks[index].metric)), ("eval", .number(eval.tasks[index].metric))])),
            ])
        }
        let document = JSONValue.object([
            ("name", .string(featureBundle.name)),
            ("channels", .int(featureBundle.channels)),
            ("channelShape", .ints(featureBundle.channelShape)),
            ("samples", .object([("fit", .int(featureBundle.samples(.fit))), ("eval", .int(featureBundle.samples(.eval)))])),
            ("tasks", .array(tasks)),
        ])
        output.emit(json: document, text: text(featureBundle, fit: fit, eval: eval))
    }

    func text(_ b: FeatureBundle, fit: Evaluation, eval: Evaluation) -> String {
        var out = "\(b.name): \(b.channels) channels, per-sample shape \(b.channelShape), \(b.samples(.fit)) fit / \(b.samples(.eval)) eval samples\n"
        out += "clean metrics (no quantisation):\n"
        let rows = b.tasks.enumerated().map { index, task in
            [task.name, task.kind.rawValue, task.kind.metricName, formatMetric(fit.tasks[index].metric), formatMetric(eval.tasks[index].metric)]
        }
        out += TextTable.render(header: ["task", "kind", "metric", "fit", "eval"], rows: rows)
        return out
    }
}

/// A metric as people read it: accuracies and mIoU with 4 decimals, PSNR in dB with 2.
func formatMetric(_ value: Double) -> String { String(format: "%.4f", value) }

/// A plain left-aligned text table for the human output of commands.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            "  " + cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}
