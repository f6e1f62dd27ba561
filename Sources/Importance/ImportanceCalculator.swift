import FeatureData

/// Computes any `ImportanceMeasure` on a bundle.
public enum ImportanceCalculator {
    public static func scores(bundle: FeatureBundle, options: ImportanceOptions) throws -> ImportanceScores {
        let taskNames = bundle.tasks.map(\.name)
        let fit = bundle.features(for: .fit)
        switch options.measure {
        case .equal, .l1, .l2, .variance, .random:
            let row = ChannelStatisticMeasures.scores(options.measure, features: fit, seed: options.seed)
            return ImportanceScores(measure: options.measure, estimator: nil, taskNames: taskNames,
                                    scores: [[Double]](repeating: row, count: taskNames.count))
        case .entropy, .mi, .taylor:
            throw ImportanceError.invalidArgument("--measure \(options.measure.rawValue) is not available yet")
        }
    }
}
