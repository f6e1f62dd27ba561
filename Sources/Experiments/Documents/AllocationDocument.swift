import Basics
import Allocation
import FeatureData
import Foundation
import Inference
import Reporting

/// The allocation file `allocate -o FILE` writes and `evaluate --allocation FILE` reads back:
/// `{"bits": [one depth per channel], …}` with the rate, solver, settings and metrics beside.
public enum AllocationDocument {
    /// The document of one allocation scored on eval.
    public static func json(bundle: FeatureBundle, allocator: Allocator, result: AllocationResult, budget: Double?,
                            weights: TaskValues?, epsilon: TaskValues?, maxBits: Int, rate: Rate,
                            evaluation: Evaluation?, scoringSeconds: Double) -> JSONValue {
        let taskNames = allocator.model.taskNames
        let scores = allocator.scores
        var members: [(String, JSONValue)] = [
            ("bundle", .string(bundle.name)),
            ("split", .string(Split.eval.rawValue)),
            ("form", .string(result.form.rawValue)),
            ("measure", .string(scores.measure.rawValue)),
        ]
        if let estimator = scores.estimator { members.append(("estimator", .string(estimator.rawValue))) }
        members.append(("budget", budget.map { .number($0) } ?? .null))
        members.append(("maxBits", .int(maxBits)))
        if let w = result.taskWeights {
            members.append(("weights", .object(zip(taskNames, w).map { ($0, .number($1)) })))
        }
        if let epsilon {
            members.append(("epsilon", .object(epsilon.entries.map { ($0.task, .number($0.value)) })))
        }
        members += [
            ("bits", .ints(result.bits)),
            ("rate", .object(EvaluationReport.rateMembers(rate) + [("maxBitsPerSample", .number(result.maxRate))]
                             + (evaluation?.codedBitsPerSample.map { [("codedBitsPerSample", JSONValue.number($0))] } ?? []))),
            ("objective", .number(result.objective)),
            ("distortion", .object(zip(taskNames, result.taskDistortions).map { ($0, .number($1)) })),
        ]
        var solverMembers: [(String, JSONValue)] = [
            ("name", .string(result.solution.solver)),
            ("status", .string(result.solution.status.rawValue)),
            ("optimal", .bool(result.solution.optimal)),
            ("seconds", .number(result.solution.seconds)),
        ]
        if let bound = result.solution.lowerBound { solverMembers.append(("lowerBound", .number(bound))) }
        solverMembers.append(("message", .string(result.solution.message)))
        members.append(("solver", .object(solverMembers)))
        // Without scoring (`--no-score`) the document has no metrics: `metrics` and `details` are null.
        members += evaluation.map(EvaluationReport.metricMembers) ?? [("metrics", .null), ("details", .null)]
        members.append(("timings", .object([
            ("importanceSeconds", .number(allocator.importanceSeconds)),
            ("distortionTableSeconds", .number(allocator.tableSeconds)),
            ("solveSeconds", .number(result.solution.seconds)),
            ("scoringSeconds", .number(scoringSeconds)),
        ])))
        return .object(members)
    }

    /// The `bits` of an allocation file, checked against the bundle (`channels` depths in
    /// 0…16); every problem names the file and the field.
    public static func read(_ path: String, channels: Int) throws -> [Int] {
        let data: Data
        do { data = try InputFile.read(URL(fileURLWithPath: path)) } catch { throw ExperimentError.invalidData("\(path): \(error.reason)") }
        return try parse(data, path: path, channels: channels)
    }

    /// `read` on bytes already in memory; `path` names them in errors.
    public static func parse(_ data: Data, path: String, channels: Int) throws -> [Int] {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ExperimentError.invalidData("\(path): not a JSON object (expected {\"bits\": [one depth per channel]})")
        }
        guard let list = object["bits"] as? [Any] else { throw ExperimentError.invalidData("\(path): no \"bits\" list") }
        var bits: [Int] = []
        for (channel, item) in list.enumerated() {
            guard let n = item as? NSNumber, n.doubleValue.isFinite, n.doubleValue == n.doubleValue.rounded() else {
                throw ExperimentError.invalidData("\(path): bits[\(channel)]: \(item) is not an integer")
            }
            // Beyond Int's range intValue would wrap; inside it, Quantiser.validate names the depth.
            guard abs(n.doubleValue) < 1e15 else {
                throw ExperimentError.invalidData("\(path): bits[\(channel)]: \(n) is out of range 0…\(Quantiser.maximumBits)")
            }
            bits.append(n.intValue)
        }
        if let problem = Quantiser.validate(bits: bits, channels: channels) {
            throw ExperimentError.invalidData("\(path): \(problem)")
        }
        return bits
    }
}
