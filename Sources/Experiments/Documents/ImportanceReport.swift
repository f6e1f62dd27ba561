import Importance
import Reporting

/// What `importance` writes: the scores as JSON, CSV (`channel,task,measure,score`) or a heat map.
public enum ImportanceReport {
    public static func json(_ scores: ImportanceScores, bundle: String, target: ImportanceTarget) -> JSONValue {
        .object([
            ("bundle", .string(bundle)),
            ("measure", .string(scores.measure.rawValue)),
            ("estimator", scores.estimator.map { .string($0.rawValue) } ?? .null),
            ("target", .string(target.rawValue)),
            ("scores", .object(zip(scores.taskNames, scores.scores).map { ($0, .numbers($1)) })),
        ])
    }

    /// The measure with its estimator, as titles name it: `mi (pooled)`.
    public static func label(_ scores: ImportanceScores) -> String {
        scores.estimator.map { "\(scores.measure.rawValue) (\($0.rawValue))" } ?? scores.measure.rawValue
    }

    public static func csv(_ scores: ImportanceScores) -> CSVTable {
        var table = CSVTable(header: ["channel", "task", "measure", "score"])
        for (task, row) in zip(scores.taskNames, scores.scores) {
            for (c, value) in row.enumerated() { table.append([String(c), task, scores.measure.rawValue, CSVTable.number(value)]) }
        }
        return table
    }

    public static func heatMap(_ scores: ImportanceScores, bundle: String) -> HeatMap {
        HeatMap(title: "\(bundle): \(label(scores)) importance per channel (each task scaled to its maximum)",
                rowLabel: "channel", columnNames: scores.taskNames, values: scores.scores)
    }
}
