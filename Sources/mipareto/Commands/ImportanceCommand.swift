import ArgumentParser
import Basics
import Experiments
import FeatureData
import Foundation
import Importance

/// `mipareto importance BUNDLE --measure M …`: one score per task per channel.
struct ImportanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "importance",
        abstract: "Score how important each feature channel is for each task.",
        discussion: """
        Measures (all on the fit split; higher = more important):
          mi        mutual information (nats) with the task's output (--estimator)
          l1, l2    mean |x|, root mean square
          variance  population variance
          entropy   entropy (bits) of the channel quantised to 8 bits
          random    seeded random scores (the baseline to beat)
          taylor    |Σ x·∂loss/∂x| through the task's head (first-order Taylor)
          equal     every channel the same
          sensitivity  measured loss of the task when only the channel is
                    dropped, the rest clean (the bundle's heads)
          mi-jmi    greedy joint mutual information ranking (redundancy-aware)
        Only mi, taylor, sensitivity and mi-jmi differ between tasks.

        Examples:
          mipareto importance examples/data/digits-pair-mini --measure mi
          mipareto importance BUNDLE --measure mi --estimator patch -o mi.svg
          mipareto importance BUNDLE --measure taylor --target labels -o t.csv --json
        """
    )

    @Argument(help: "The bundle directory (the folder holding bundle.json).")
    var bundle: String

    @Option(help: ArgumentHelp("The measure: \(ImportanceMeasure.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "M"))
    var measure: ImportanceMeasure

    @OptionGroup var importance: ImportanceArguments

    @Option(name: .shortAndLong, help: ArgumentHelp("Also write the scores: FILE.csv (channel,task,measure,score) or FILE.svg (a heat map, channels × tasks).", valueName: "FILE"))
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if let output, !(output.hasSuffix(".csv") || output.hasSuffix(".svg")) {
            throw ValidationError("--output: \"\(output)\" must end in .csv or .svg")
        }
    }

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        let options = importance.options(measure: measure)
        let scores = try ImportanceCalculator.scores(bundle: featureBundle, options: options)
        if let output {
            let contents = output.hasSuffix(".csv") ? ImportanceReport.csv(scores).text : ImportanceReport.heatMap(scores, bundle: featureBundle.name).svg()
            try AtomicFile.write(contents, to: URL(fileURLWithPath: output))
        }
        outputOptions.emit(json: ImportanceReport.json(scores, bundle: featureBundle.name, target: options.target), text: text(scores, bundle: featureBundle.name))
    }

    func text(_ scores: ImportanceScores, bundle: String) -> String {
        let unit: String = {
            switch scores.measure {
            case .mi: return "nats"
            case .entropy: return "bits"
            default: return "score"
            }
        }()
        var out = "\(bundle): \(ImportanceReport.label(scores)) importance, \(scores.scores.first?.count ?? 0) channels, fit split (\(unit)); top channels per task:\n"
        let rows = zip(scores.taskNames, scores.scores).map { task, row -> [String] in
            let top = ChannelRanking.order(row).prefix(8).map { String(format: "%d (%.3g)", $0, row[$0]) }
            return [task, top.joined(separator: "  ")]
        }
        out += TextTable.render(header: ["task", "channel (score), most important first"], rows: rows)
        return out
    }
}
