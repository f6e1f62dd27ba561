import ArgumentParser
import Basics
import FeatureData
import Foundation
import Importance
import Reporting

extension ImportanceMeasure: ExpressibleByArgument {}
extension MIEstimatorKind: ExpressibleByArgument {}
extension ChannelReduction: ExpressibleByArgument {}
extension ImportanceTarget: ExpressibleByArgument {}

/// The options of the importance measures, shared by `importance` and `select`.
struct ImportanceArguments: ParsableArguments {
    @Option(help: ArgumentHelp("MI estimator: pooled (a channel's spatial mean, k-NN), patch (the paper's patch vectors against the aligned, clustered output) or binned (equal-frequency bins).", valueName: "E"))
    var estimator: MIEstimatorKind = .pooled

    @Option(help: ArgumentHelp("What mi and taylor measure against: outputs (the network's own predictions, the paper's choice) or labels (ground truth).", valueName: "T"))
    var target: ImportanceTarget = .outputs

    @Option(help: "Seed of every random draw (tie-breaking noise, k-means, the random baseline).")
    var seed: UInt64 = 0

    @Option(name: .customLong("neighbors"), help: ArgumentHelp("k of the k-nearest-neighbour MI estimators; must be smaller than every class.", valueName: "k"))
    var neighbours: Int = 3

    @Option(help: ArgumentHelp("How the pooled and binned estimators reduce a channel's H×W map per sample: mean, max or rms.", valueName: "R"))
    var reduce: ChannelReduction = .mean

    @Option(help: ArgumentHelp("Patch size of the patch estimator, HxW (must tile the map; default: the whole map when it is at most 8x8, else 4x4).", valueName: "HxW"))
    var patch: String?

    @Option(help: ArgumentHelp("k-means clusters that turn a dense task's outputs (segmentation, reconstruction) into symbols.", valueName: "K"))
    var clusters: Int = OutputClustering.defaultClusters

    func validate() throws {
        guard neighbours >= 1 else { throw ValidationError("--neighbors must be at least 1 (got \(neighbours))") }
        guard clusters >= 1 else { throw ValidationError("--clusters must be at least 1 (got \(clusters))") }
        if let patch { _ = try Self.patchSize(patch) }
    }

    static func patchSize(_ text: String) throws -> PatchSize {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let h = Int(parts[0]), let w = Int(parts[1]), h >= 1, w >= 1 else {
            throw ValidationError("--patch: \"\(text)\" is not HxW with positive integers (e.g. 2x2)")
        }
        return PatchSize(height: h, width: w)
    }

    func options(measure: ImportanceMeasure) throws -> ImportanceOptions {
        var o = ImportanceOptions(measure: measure)
        o.estimator = estimator
        o.target = target
        o.seed = seed
        o.neighbours = neighbours
        o.reduce = reduce
        o.patch = try patch.map(Self.patchSize)
        o.clusters = clusters
        return o
    }
}

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
        Only mi and taylor differ between tasks.

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
        let options = try importance.options(measure: measure)
        let scores = try ImportanceCalculator.scores(bundle: featureBundle, options: options)
        if let output {
            let url = URL(fileURLWithPath: output)
            if output.hasSuffix(".csv") {
                try AtomicFile.write(Self.csv(scores).text, to: url)
            } else {
                try AtomicFile.write(Self.heatMap(scores, bundle: featureBundle.name).svg(), to: url)
            }
        }
        let document = JSONValue.object([
            ("bundle", .string(featureBundle.name)),
            ("measure", .string(scores.measure.rawValue)),
            ("estimator", scores.estimator.map { .string($0.rawValue) } ?? .null),
            ("target", .string(options.target.rawValue)),
            ("scores", .object(zip(scores.taskNames, scores.scores).map { ($0, .numbers($1)) })),
        ])
        outputOptions.emit(json: document, text: text(scores, bundle: featureBundle.name))
    }

    static func label(_ scores: ImportanceScores) -> String {
        scores.estimator.map { "\(scores.measure.rawValue) (\($0.rawValue))" } ?? scores.measure.rawValue
    }

    static func csv(_ scores: ImportanceScores) -> CSVTable {
        var table = CSVTable(header: ["channel", "task", "measure", "score"])
        for (task, row) in zip(scores.taskNames, scores.scores) {
            for (c, value) in row.enumerated() { table.append([String(c), task, scores.measure.rawValue, CSVTable.number(value)]) }
        }
        return table
    }

    static func heatMap(_ scores: ImportanceScores, bundle: String) -> HeatMap {
        HeatMap(title: "\(bundle): \(label(scores)) importance per channel (each task scaled to its maximum)",
                rowLabel: "channel", columnNames: scores.taskNames, values: scores.scores)
    }

    func text(_ scores: ImportanceScores, bundle: String) -> String {
        let unit: String = {
            switch scores.measure {
            case .mi: return "nats"
            case .entropy: return "bits"
            default: return "score"
            }
        }()
        var out = "\(bundle): \(Self.label(scores)) importance, \(scores.scores.first?.count ?? 0) channels, fit split (\(unit)); top channels per task:\n"
        let rows = zip(scores.taskNames, scores.scores).map { task, row -> [String] in
            let top = HardSelection.ranking(row).prefix(8).map { String(format: "%d (%.3g)", $0, row[$0]) }
            return [task, top.joined(separator: "  ")]
        }
        out += TextTable.render(header: ["task", "channel (score), most important first"], rows: rows)
        return out
    }
}
