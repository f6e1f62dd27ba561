import Reporting

/// What `weights` writes: JSON, `weights.csv` (one row per weight vector) and `weights.svg`.
public enum WeightsReport {
    public static func json(_ a: WeightAnalysis, bundle: String, maxBits: Int, divisions: Int, seconds: Double) -> JSONValue {
        let names = a.measures.map(\.rawValue)
        return .object([
            ("bundle", .string(bundle)),
            ("budget", .number(a.budget)),
            ("maxBits", .int(maxBits)),
            ("split", .string(a.split.rawValue)),
            ("tasks", .array(a.taskNames.map { .string($0) })),
            ("measures", .array(names.map { .string($0) })),
            ("divisions", .int(divisions)),
            ("clean", .object(zip(a.taskNames, a.clean).map { ($0, .number($1)) })),
            ("wins", .object(zip(names, a.wins).map { ($0, .int($1)) })),
            ("scoredAllocations", .int(a.allocations.count)),
            ("seconds", .number(seconds)),
            ("grid", .array(a.points.map { p in
                .object([
                    ("weights", .object(zip(a.taskNames, p.weights).map { ($0, .number($1)) })),
                    ("best", .string(names[p.best])),
                    ("values", .object(zip(names, p.losses).map { ($0, .number($1)) })),
                ])
            })),
        ])
    }

    /// Column names are snake_case whatever the task is called.
    static func column(_ prefix: String, _ name: String) -> String {
        prefix + String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    public static func csv(_ a: WeightAnalysis) -> CSVTable {
        var table = CSVTable(header: a.taskNames.map { column("w_", $0) } + ["best"] + a.measures.map { column("loss_", $0.rawValue) })
        for p in a.points {
            table.append(p.weights.map(CSVTable.number) + [a.measures[p.best].rawValue] + p.losses.map(CSVTable.number))
        }
        return table
    }

    public static func map(_ a: WeightAnalysis, bundle: String) -> WeightMap {
        let names = a.measures.map(\.rawValue).joined(separator: ", ")
        let compared = names.count <= 40 ? names : "\(a.measures.count) measures"
        return WeightMap(title: "\(bundle), \(JSONValue.number(a.budget).rendered()) bpe on \(a.split.rawValue): lowest weighted loss of \(compared)",
                         taskNames: a.taskNames, weights: a.points.map(\.weights), winners: a.points.map { a.measures[$0.best].rawValue },
                         methods: a.measures.map(\.rawValue))
    }
}
