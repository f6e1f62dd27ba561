import Basics
import Importance
import Reporting

/// The files of a `front` run (`front.csv`, `summary.json`, `front.svg`, and `importance.svg` /
/// `select.svg` when those methods ran), made from a `FrontResult` before any is written.
public enum FrontReport {
    /// Every output file, name and contents, in the order they are listed to the user.
    public static func files(_ r: FrontResult) -> [(name: String, contents: String)] {
        let frontTable = table(r)
        var files: [(name: String, contents: String)] = [
            ("front.csv", frontTable.csv.text),
            ("summary.json", summary(r).rendered(pretty: true) + "\n"),
        ]
        // Without scores there is no metric to plot: the CSV holds the rates and allocations.
        guard r.scored else { return files }
        files += [
            ("front.svg", FrontChart.chart(title: chartTitle(r),
                                           runs: [FrontChart.Run(label: nil, table: firstSeed(frontTable, r))],
                                           clean: Dictionary(uniqueKeysWithValues: zip(r.taskNames, r.clean)),
                                           metricNames: Dictionary(uniqueKeysWithValues: zip(r.taskNames, r.metricNames))).svg()),
        ]
        if let mi = r.miScores {
            files.append(("importance.svg", ImportanceReport.heatMap(mi, bundle: r.bundle).svg()))
        }
        if let chart = selectChart(r) { files.append(("select.svg", chart.svg())) }
        return files
    }

    public static func table(_ r: FrontResult) -> FrontTable { FrontTable(taskNames: r.taskNames, points: r.points) }

    /// The chart shows one seed: ten seeds of NSGA-II clouds would hide every other curve
    /// (`mipareto report DIR` replots every seed of front.csv).
    static func firstSeed(_ table: FrontTable, _ r: FrontResult) -> FrontTable {
        FrontTable(taskNames: table.taskNames, points: table.points.filter { $0.seed == r.settings.seeds[0] })
    }

    static func chartTitle(_ r: FrontResult) -> String {
        let seeds = r.settings.seeds.count > 1 ? ", seed \(r.settings.seeds[0]) of \(r.settings.seeds.count)" : ""
        return "\(r.bundle): rate vs task metric (report split, \(r.reportSamples) samples\(seeds))"
    }

    /// `summary.json` (also `front --json`).
    public static func summary(_ r: FrontResult) -> JSONValue {
        let comparisons: [(String, JSONValue)] = r.comparisons.map { entry in
            (entry.method, .object([
                ("wilcoxonP", entry.comparison.wilcoxonP.map { .number($0) } ?? .null),
                ("seeds", .int(entry.comparison.seeds)),
                ("meanDifference", .number(entry.comparison.meanDifference)),
            ]))
        }
        guard r.scored else { return unscoredSummary(r) }
        var members: [(String, JSONValue)] = [
            ("bundle", .string(r.bundle)),
            ("split", .string("report")),
            ("samples", .int(r.reportSamples)),
            ("clean", .object(zip(r.taskNames, r.clean).map { ($0, .number($1)) })),
            ("metricNames", .object(zip(r.taskNames, r.metricNames).map { ($0, .string($1)) })),
            ("maxBits", .int(r.settings.maxBits)),
            ("seeds", .ints(r.settings.seeds)),
            ("budgets", .numbers(r.settings.budgets)),
        ]
        if let pixels = r.inputPixels { members.append(("inputPixels", .int(pixels))) }
        members += [
            ("methods", .object(r.methods.map { m in
                var entry: [(String, JSONValue)] = [
                    ("hypervolume", .number(m.hypervolume)),
                    ("hypervolumeSd", .number(m.hypervolumeSD)),
                    ("hypervolumePerSeed", .numbers(m.hypervolumePerSeed)),
                    ("points", .int(m.points)),
                    ("front", .array(m.front.map { .numbers($0) })),
                ]
                // The front's rates (its rows' first column) in bits per input pixel.
                if let pixels = r.inputPixels {
                    entry.append(("frontBitsPerInputPixel", .numbers(m.front.map { $0[0] * Double(r.elementsPerSample) / Double(pixels) })))
                }
                return (m.name, .object(entry))
            })),
            ("comparisons", .object(comparisons)),
        ]
        members.append(("comparisonsNote", .string(comparisonNote(r))))
        if let bd = bdRates(r) {
            members.append(("bdRate", FrontBDRate.json(bd)))
            members.append(("bdRateNote", .string(bdRateNote)))
        }
        for search in ["nsga2", "nsga3"] where r.settings.methods.contains(search) {
            members.append((search, .object([
                ("population", .int(r.settings.population)),
                ("generations", .int(r.settings.generations)),
                ("seedFromIlp", .bool(r.settings.seedFromILP)),
                ("searchSplit", .string("search")),
                ("front", .string("archive")),
            ])))
        }
        return .object(members)
    }

    /// Every method's BD-rate against `uniform`, per task (nil when uniform did not run).
    public static func bdRates(_ r: FrontResult) -> FrontBDRate.Table? {
        guard r.scored, r.settings.methods.contains("uniform") else { return nil }
        return FrontBDRate.table(table(r), reference: "uniform")
    }

    public static let bdRateNote = "Bjøntegaard delta rate against uniform, percent, per task (PCHIP on log-rate over the common metric range; mean over seeds; negative: fewer bits for the same metric; null: no common range)"

    /// A run without scoring: the settings and each method's allocations, no metrics.
    static func unscoredSummary(_ r: FrontResult) -> JSONValue {
        .object([
            ("bundle", .string(r.bundle)),
            ("scored", .bool(false)),
            ("maxBits", .int(r.settings.maxBits)),
            ("seeds", .ints(r.settings.seeds)),
            ("budgets", .numbers(r.settings.budgets)),
            ("methods", .object(r.methods.map { m in
                (m.name, .object([
                    ("points", .int(m.points)),
                    ("bpe", .numbers(r.points.filter { $0.method == m.name && $0.seed == r.settings.seeds[0] }.map(\.bpe))),
                ]))
            })),
        ])
    }

    public static func comparisonNote(_ r: FrontResult) -> String {
        guard r.settings.methods.contains("ilp-mi") else { return "no comparisons: ilp-mi did not run" }
        let n = r.settings.seeds.count
        var note = "paired Wilcoxon signed-rank test (two-sided) of ilp-mi's hypervolume against each method over \(n) seed\(n == 1 ? "" : "s"); null p: every difference is 0"
        if n < FrontAnalysis.seedsForSignificance {
            note += "; with fewer than \(FrontAnalysis.seedsForSignificance) seeds no p-value can fall below 0.05, so these are not evidence either way"
        }
        return note
    }

    /// One panel per task: the metric against the number of channels kept at max bits, one line
    /// per select-* method (first seed), clean dashed.
    static func selectChart(_ r: FrontResult) -> Chart? {
        let selects = r.settings.methods.filter { $0.hasPrefix("select-") }
        guard !selects.isEmpty else { return nil }
        let first = r.settings.seeds[0]
        let panels = r.taskNames.enumerated().map { t, task in
            ChartPanel(title: task, xLabel: "channels kept at \(r.settings.maxBits) bits (k)", yLabel: FrontChart.axisLabel(r.metricNames[t]),
                       series: selects.map { name in
                           let pts = r.points.filter { $0.method == name && $0.seed == first }
                               .map { p in (x: Double(p.bits.filter { $0 > 0 }.count), y: p.metrics[t]) }
                           return ChartSeries(name: name, points: pts, style: .lineAndMarkers)
                       },
                       referenceLines: [ReferenceLine(y: r.clean[t], label: "clean")])
        }
        return Chart(title: "\(r.bundle): hard selection on report (top-k channels at \(r.settings.maxBits) bits, the rest dropped)", panels: panels)
    }
}
