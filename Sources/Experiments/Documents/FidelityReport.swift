import Basics
import Importance
import Reporting

/// The outputs of `mipareto fidelity`: `--json`, `fidelity.csv` (one row per random allocation),
/// `fidelity.svg` (per measure, the true loss against the measure's objective).
public enum FidelityReport {
    public static func json(_ r: ProxyFidelity.Result) -> JSONValue {
        .object([
            ("bundle", .string(r.bundle)),
            ("split", .string("report")),
            ("budgets", .numbers(r.settings.budgets)),
            ("allocationsPerBudget", .int(r.settings.allocationsPerBudget)),
            ("seed", .int(Int(r.settings.seed))),
            ("measures", .object(r.measures.map { m in
                (m.measure.rawValue, .object([
                    ("spearman", m.spearman.map { .number($0) } ?? .null),
                    ("spearmanPooled", m.spearmanPooled.map { .number($0) } ?? .null),
                    ("spearmanPerBudget", .array(m.spearmanPerBudget.map { $0.map { .number($0) } ?? .null })),
                ]))
            })),
            ("note", .string("spearman: mean over budgets of the rank correlation between the measure's ILP objective and the true loss (mean over tasks of 1 − metric/clean on report) among random allocations of that budget; spearmanPooled: over all budgets at once (rate orders both)")),
        ])
    }

    public static func csv(_ r: ProxyFidelity.Result) -> CSVTable {
        var table = CSVTable(header: ["budget", "bpe", "true_loss"] + r.measures.map { "objective_\($0.measure.rawValue)" } + ["bits"])
        for s in r.samples {
            table.append([CSVTable.number(s.budget), CSVTable.number(s.bpe), CSVTable.number(s.trueLoss)] + s.objectives.map(CSVTable.number)
                         + [FrontTable.encode(bits: s.bits)])
        }
        return table
    }

    /// One panel per measure: the true loss against its objective, one series per budget.
    public static func chart(_ r: ProxyFidelity.Result) -> Chart {
        let panels = r.measures.enumerated().map { k, m in
            ChartPanel(title: "\(m.measure.rawValue): Spearman \(m.spearman.map { String(format: "%.3f", $0) } ?? "n/a") (mean per budget)",
                       xLabel: "ILP objective (\(m.measure == .sensitivity ? "sum of measured losses" : "Σ a_c d_c(b_c)"))", yLabel: "true loss on report",
                       series: r.settings.budgets.map { budget in
                           ChartSeries(name: "budget \(BudgetGrid.format(budget))",
                                       points: r.samples.filter { $0.budget == budget }.map { (x: $0.objectives[k], y: $0.trueLoss) }, style: .markers)
                       })
        }
        return Chart(title: "\(r.bundle): proxy fidelity (random allocations, report split)", panels: panels)
    }

    /// The table `fidelity` prints: one row per measure, the mean, pooled and per-budget coefficients.
    public static func table(_ r: ProxyFidelity.Result) -> (header: [String], rows: [[String]]) {
        func format(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "n/a" }
        return (["measure", "spearman (mean per budget)", "pooled"] + r.settings.budgets.map { "b=\(BudgetGrid.format($0))" },
                r.measures.map { m in [m.measure.rawValue, format(m.spearman), format(m.spearmanPooled)] + m.spearmanPerBudget.map(format) })
    }

    public static func files(_ r: ProxyFidelity.Result) -> [(name: String, contents: String)] {
        [("fidelity.csv", csv(r).text), ("fidelity.svg", chart(r).svg())]
    }
}
