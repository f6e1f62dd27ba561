import ArgumentParser
import FeatureData
import Foundation
import Inference
import Reporting

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

    @Option(name: .long, help: ArgumentHelp("Samples to score: eval, fit, search (even eval samples) or report (odd eval samples).", valueName: "split"))
    var split: String = "eval"

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (bits == nil) != (allocation == nil) else {
            throw ValidationError("give exactly one of --bits B and --allocation FILE")
        }
        if let b = bits, !(0...Quantiser.maximumBits).contains(b) {
            throw ValidationError("--bits: \(b) is outside 0…\(Quantiser.maximumBits)")
        }
        guard Split(rawValue: split) != nil else {
            throw ValidationError("--split: \"\(split)\" is not one of eval, fit, search, report")
        }
    }

    func run() throws {
        let chosenSplit = Split(rawValue: split)!
        let featureBundle = try FeatureBundle(directory: bundle)
        let channels = featureBundle.channels
        let bitVector: [Int]
        if let file = allocation {
            bitVector = try Self.readAllocation(file, channels: channels)
        } else {
            bitVector = [Int](repeating: bits!, count: channels)
        }
        let quantiser = Quantiser(fitOf: featureBundle)
        let scorer = Scorer(bundle: featureBundle, split: chosenSplit, quantiser: quantiser)
        let evaluation = scorer.score(bits: bitVector)
        let rate = Rate(bits: bitVector, quantiser: quantiser, features: featureBundle.features(for: chosenSplit))

        let document = JSONValue.object([
            ("bundle", .string(featureBundle.name)),
            ("split", .string(chosenSplit.rawValue)),
            ("samples", .int(evaluation.samples)),
            ("bits", .ints(bitVector)),
            ("rate", .object([
                ("bitsPerSample", .number(rate.bitsPerSample)),
                ("bpe", .number(rate.bpe)),
                ("entropyBitsPerSample", .number(rate.entropyBitsPerSample)),
                ("sideInformationBits", .int(rate.sideInformationBits)),
            ])),
            ("metrics", .object(evaluation.tasks.map { ($0.name, .number($0.metric)) })),
            ("details", .object(evaluation.tasks.map { task in
                (task.name, .object(task.details.map { ($0.key, .number($0.value)) }))
            })),
        ])
        output.emit(json: document, text: text(featureBundle, chosenSplit, bitVector, rate, evaluation))
    }

    func text(_ b: FeatureBundle, _ split: Split, _ bits: [Int], _ rate: Rate, _ evaluation: Evaluation) -> String {
        let allocationText = Set(bits).count == 1 ? "\(bits[0]) bits on every channel" : "bits [\(bits.map(String.init).joined(separator: " "))]"
        var out = "\(b.name), split \(split.rawValue) (\(evaluation.samples) samples), \(allocationText)\n"
        out += String(format: "rate: %g bits/sample (%g bits per element); entropy-coded estimate %.1f bits/sample; side information %d bits per stream (lo, hi of each kept channel)\n",
                      rate.bitsPerSample, rate.bpe, rate.entropyBitsPerSample, rate.sideInformationBits)
        let rows = evaluation.tasks.map { task -> [String] in
            let extra = task.details.map { key, value in
                "\(key) " + (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4f", value))
            }.joined(separator: ", ")
            return [task.name, task.kind.metricName, formatMetric(task.metric), extra]
        }
        out += TextTable.render(header: ["task", "metric", "value", "details"], rows: rows)
        return out
    }

    /// Reads `{"bits": [C integers], …}`; every problem names the file.
    static func readAllocation(_ path: String, channels: Int) throws -> [Int] {
        guard FileManager.default.fileExists(atPath: path) else { throw ExitStatusError.invalidInput("\(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ExitStatusError.invalidInput("\(path): cannot be read") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ExitStatusError.invalidInput("\(path): not a JSON object (expected {\"bits\": [one depth per channel]})")
        }
        guard let list = object["bits"] as? [Any] else { throw ExitStatusError.invalidInput("\(path): no \"bits\" list") }
        var bits: [Int] = []
        for (channel, item) in list.enumerated() {
            guard let n = item as? NSNumber, n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 1e9 else {
                throw ExitStatusError.invalidInput("\(path): bits[\(channel)] is not an integer")
            }
            bits.append(n.intValue)
        }
        if let problem = Quantiser.validate(bits: bits, channels: channels) {
            throw ExitStatusError.invalidInput("\(path): \(problem)")
        }
        return bits
    }
}
