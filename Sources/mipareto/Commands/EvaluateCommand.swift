import ArgumentParser
import Experiments
import FeatureData
import Inference

/// `mipareto evaluate BUNDLE (--bits B | --allocation FILE) [--split S]`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Quantise a bundle's features with a bit allocation and score every task.",
        discussion: """
        Each channel is quantised with its own bit depth (0 drops the channel: it is replaced by its \
        fit-split mean), using the ranges of the fit split, then every task head runs on the result. \
        Prints the rate (bits per sample, bits per element, an entropy-coded estimate) and each \
        task's metric: accuracy, mIoU or PSNR.

        Examples:
          mipareto evaluate examples/data/digits-pair-mini --bits 4
          mipareto evaluate examples/data/digits-pair-mini --allocation a.json --json
        """
    )

    @Argument(help: "The bundle directory (the folder holding bundle.json).")
    var bundle: String

    @Option(name: .long, help: ArgumentHelp("The same bit depth (0…16) for every channel.", valueName: "B"))
    var bits: Int?

    @Option(name: .long, help: ArgumentHelp("A JSON file with \"bits\": one depth (0…16) per channel, as `allocate` writes.", valueName: "FILE"))
    var allocation: String?

    @OptionGroup var split: SplitOption

    @OptionGroup var evaluator: EvaluatorOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (bits == nil) != (allocation == nil) else {
            throw ValidationError("give exactly one of --bits B and --allocation FILE")
        }
        if let b = bits, !(0...Quantiser.maximumBits).contains(b) {
            throw ValidationError("--bits: \(b) is outside 0…\(Quantiser.maximumBits)")
        }
    }

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        let bitVector = try allocation.map { try AllocationDocument.read($0, channels: featureBundle.channels) }
            ?? [Int](repeating: bits!, count: featureBundle.channels)
        let quantiser = Quantiser(fitOf: featureBundle)
        let session = try evaluator.session(bundle: featureBundle, quantiser: quantiser)
        let scoring = try evaluator.source(session).scoring(bundle: featureBundle, split: split.split, quantiser: quantiser)
        let evaluation = try scoring.score(batch: [bitVector])[0]
        session?.stop()
        let rate = Rate(bits: bitVector, quantiser: quantiser, bundle: featureBundle, split: split.split)
        output.emit(json: EvaluationReport.json(bundle: featureBundle, split: split.split, bits: bitVector, rate: rate, evaluation: evaluation),
                    text: text(featureBundle, bitVector, rate, evaluation))
    }

    func text(_ b: FeatureBundle, _ bits: [Int], _ rate: Rate, _ evaluation: Evaluation) -> String {
        let allocationText = Set(bits).count == 1 ? "\(bits[0]) bits on every channel" : "bits [\(bits.map(String.init).joined(separator: " "))]"
        var out = "\(b.name), split \(split.split.rawValue) (\(evaluation.samples) samples), \(allocationText)\n"
        out += String(format: "rate: %g bits/sample (%g bits per element); entropy-coded estimate %.1f bits/sample; side information %d bits per stream (lo, hi of each kept channel)\n",
                      rate.bitsPerSample, rate.bpe, rate.entropyBitsPerSample, rate.sideInformationBits)
        if let coded = evaluation.codedBitsPerSample { out += String(format: "coded by the evaluator: %g bits/sample\n", coded) }
        let rows = evaluation.tasks.map { task -> [String] in
            let extra = task.details.map { key, value in
                "\(key) " + (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4f", value))
            }.joined(separator: ", ")
            return [task.name, task.kind.metricName, formatMetric(task.metric), extra]
        }
        out += TextTable.render(header: ["task", "metric", "value", "details"], rows: rows)
        return out
    }
}
