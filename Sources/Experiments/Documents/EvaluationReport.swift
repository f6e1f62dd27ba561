import FeatureData
import Inference
import Reporting

/// The JSON of `evaluate` (one allocation scored on a split) and `inspect` (the bundle and its
/// clean metrics), and the members other documents share with them.
public enum EvaluationReport {
    public static func json(bundle: FeatureBundle, split: Split, bits: [Int], rate: Rate, evaluation: Evaluation) -> JSONValue {
        .object([
            ("bundle", .string(bundle.name)),
            ("split", .string(split.rawValue)),
            ("samples", .int(evaluation.samples)),
            ("bits", .ints(bits)),
            ("rate", .object(rateMembers(rate) + (evaluation.codedBitsPerSample.map { [("codedBitsPerSample", JSONValue.number($0))] } ?? []))),
        ] + metricMembers(evaluation))
    }

    /// `bitsPerSample`, `bpe`, `entropyBitsPerSample`, `sideInformationBits`.
    static func rateMembers(_ rate: Rate) -> [(String, JSONValue)] {
        [
            ("bitsPerSample", .number(rate.bitsPerSample)),
            ("bpe", .number(rate.bpe)),
            ("entropyBitsPerSample", .number(rate.entropyBitsPerSample)),
            ("sideInformationBits", .int(rate.sideInformationBits)),
        ]
    }

    /// `metrics {task: number}` and `details {task: {…}}`.
    static func metricMembers(_ evaluation: Evaluation) -> [(String, JSONValue)] {
        [
            ("metrics", .object(evaluation.tasks.map { ($0.name, .number($0.metric)) })),
            ("details", .object(evaluation.tasks.map { task in
                (task.name, .object(task.details.map { ($0.key, .number($0.value)) }))
            })),
        ]
    }

    /// `inspect --json`: the bundle's shape and each task's clean metric on fit and eval (`null`
    /// for a task without a head, unless the evaluator gives it).
    public static func inspection(bundle: FeatureBundle, clean: CleanMetrics, evaluator session: EvaluatorSession? = nil) -> JSONValue {
        let tasks: [JSONValue] = bundle.tasks.enumerated().map { index, task in
            .object([
                ("name", .string(task.name)),
                ("kind", .string(task.kind.rawValue)),
                ("metric", .string(task.kind.metricName)),
                ("classes", .int(task.classes)),
                ("outputShape", .ints(task.outputShape)),
                ("clean", .object([("fit", clean.fit[index].map(JSONValue.number) ?? .null), ("eval", clean.eval[index].map(JSONValue.number) ?? .null)])),
            ])
        }
        var members: [(String, JSONValue)] = [
            ("name", .string(bundle.name)),
            ("channels", .int(bundle.channels)),
        ]
        if bundle.isMultiStream {
            members.append(("streams", .array(bundle.streams.map { s in
                .object([("name", .string(s.name)), ("channels", .int(s.channels)), ("shape", .ints(s.sampleShape)), ("firstChannel", .int(s.firstChannel))])
            })))
        } else {
            members.append(("channelShape", .ints(bundle.channelShape)))
        }
        members += [
            ("samples", .object([("fit", .int(bundle.samples(.fit))), ("eval", .int(bundle.samples(.eval)))])),
            ("tasks", .array(tasks)),
        ]
        if let session {
            // The evaluator's clean metrics beside the bundle's own, per split it serves.
            let splits = Split.allCases.filter(session.splits.contains)
            members.append(("evaluator", .object([
                ("command", .string(session.command)),
                ("splits", .array(splits.map { .string($0.rawValue) })),
                ("measuresRate", .bool(session.measuresRate)),
                ("clean", .object(session.tasks.map { t in (t.name, .object(splits.map { ($0.rawValue, .number(t.clean[$0]!)) })) })),
            ])))
        }
        return .object(members)
    }
}
