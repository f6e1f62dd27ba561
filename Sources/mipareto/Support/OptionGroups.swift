import ArgumentParser
import Basics
import FeatureData
import Foundation
import Importance
import Reporting

/// `--json` and `--quiet`, shared by every command that computes something.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object on stdout and nothing else.")
    var json = false

    @Flag(name: .long, help: "No progress output on stderr.")
    var quiet = false

    func validate() throws {
        // The library's steps (statistics, tables, estimators) draw their own progress lines.
        if quiet { ProgressLine.silenceAll() }
    }

    /// Prints the JSON document (with `--json`) or the readable text.
    func emit(json document: @autoclosure () -> JSONValue, text: @autoclosure () -> String) {
        if json {
            print(document().rendered(pretty: true))
        } else {
            print(text(), terminator: "")
        }
    }

    /// The progress line of a long step (off with `--quiet` and when stderr is not a terminal).
    func progress(_ label: String) -> ProgressLine { ProgressLine(label, quiet: quiet) }
}

/// `--max-bits B`, checked once.
struct MaxBitsOption: ParsableArguments {
    @Option(name: .customLong("max-bits"), help: ArgumentHelp("Largest bit depth of a channel (1…16).", valueName: "B"))
    var maxBits: Int = 8

    func validate() throws { try validating { try Quantiser.checkMaxBits(maxBits) } }
}

/// `--split`, the samples a command scores.
struct SplitOption: ParsableArguments {
    @Option(help: ArgumentHelp("Samples to score: eval, fit, search (even eval samples) or report (odd eval samples).", valueName: "split"))
    var split: Split = .eval
}

/// The options of the importance measures, shared by every command that computes them.
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

    @Option(help: ArgumentHelp("Patch size of the patch estimator, HxW (must tile the map; default: the whole map when it is at most 8x8, else 4x4, or the divisor of a side nearest 4 when 4 does not divide it).", valueName: "HxW"),
            transform: argument(PatchSize.parse))
    var patch: PatchSize?

    @Option(help: ArgumentHelp("k-means clusters that turn a dense task's outputs (segmentation, reconstruction) into symbols.", valueName: "K"))
    var clusters: Int = OutputClustering.defaultClusters

    func validate() throws {
        guard neighbours >= 1 else { throw ValidationError("--neighbors must be at least 1 (got \(neighbours))") }
        guard clusters >= 1 else { throw ValidationError("--clusters must be at least 1 (got \(clusters))") }
    }

    func options(measure: ImportanceMeasure) -> ImportanceOptions {
        var o = ImportanceOptions(measure: measure)
        o.estimator = estimator
        o.target = target
        o.seed = seed
        o.neighbours = neighbours
        o.reduce = reduce
        o.patch = patch
        o.clusters = clusters
        return o
    }
}

extension URL {
    /// Whether a folder exists at this path.
    var isExistingDirectory: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Whether something that is not a folder exists at this path.
    var isExistingFile: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
