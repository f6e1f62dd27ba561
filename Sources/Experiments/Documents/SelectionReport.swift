import Reporting

/// What `select` writes: JSON, `select.csv` and `select.svg`.
public enum SelectionReport {
    public static func json(_ r: SelectionRun.Result, bundle: String, estimator: String) -> JSONValue {
        var area: [String: [(String, JSONValue)]] = [:]
        var measureOrder: [String] = []
        for curve in r.curves {
            let m = curve.measure.rawValue
            if area[m] == nil { area[m] = []; measureOrder.append(m) }
            area[m]!.append((curve.ranking, .number(curve.area)))
        }
        return .object([
            ("bundle", .string(bundle)),
            ("split", .string(r.split.rawValue)),
            ("estimator", .string(estimator)),
            ("clean", .object(zip(r.taskNames, r.clean).map { ($0, .number($1)) })),
            ("weights", .object(zip(r.taskNames, r.weights).map { ($0, .number($1)) })),
            ("curves", .array(r.curves.map { c in
                .object([
                    ("measure", .string(c.measure.rawValue)),
                    ("task", .string(c.ranking)),
                    ("k", .ints(c.k)),
                    ("metric", .numbers(c.metric)),
                    ("order", .ints(c.order)),
                    ("metrics", .object(zip(r.taskNames, c.metrics).map { ($0, .numbers($1)) })),
                ])
            })),
            ("area", .object(measureOrder.map { ($0, .object(area[$0]!)) })),
        ])
    }

    public static func csv(_ r: SelectionRun.Result) -> CSVTable {
        var table = CSVTable(header: ["measure", "ranking", "task", "k", "metric", "clean"])
        for c in r.curves {
            for (t, task) in r.taskNames.enumerated() {
                for (i, k) in c.k.enumerated() {
                    table.append([c.measure.rawValue, c.ranking, task, String(k), CSVTable.number(c.metrics[t][i]), CSVTable.number(r.clean[t])])
                }
            }
        }
        return table
    }

    /// One panel per task: that task's metric vs k under its own ranking, one line per measure;
    /// a last panel for the weighted ranking.
    public static func chart(_ r: SelectionRun.Result, bundle: String) -> Chart {
        let panels = r.taskNames.enumerated().map { t, task in
            ChartPanel(title: task, xLabel: "channels kept (k)", yLabel: FrontChart.axisLabel(r.metricNames[t]),
                       series: r.curves.filter { $0.ranking == task }.map { c in
                           ChartSeries(name: c.measure.rawValue, points: zip(c.k, c.metric).map { (Double($0), $1) }, style: .line)
                       },
                       referenceLines: [ReferenceLine(y: r.clean[t], label: "clean")])
        }
        // And the weighted ranking: every task's metric/clean, weighted (1 = clean).
        let all = ChartPanel(title: "all tasks (weighted ranking)", xLabel: "channels kept (k)", yLabel: "weighted metric / clean",
                             series: r.curves.filter { $0.ranking == SelectionRun.combinedRanking }.map { c in
                                 ChartSeries(name: c.measure.rawValue, points: zip(c.k, c.metric).map { (Double($0), $1) }, style: .line)
                             },
                             referenceLines: [ReferenceLine(y: 1, label: "clean")])
        return Chart(title: "\(bundle): hard selection on \(r.split.rawValue) (top-k channels by each task's ranking, the rest dropped)", panels: panels + [all])
    }
}
