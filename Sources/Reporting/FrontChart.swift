/// The chart of `front.svg` and `report`: one panel per task, the task's metric against bits per
/// element, one series per method, the clean metric as a dashed line.
public enum FrontChart {
    /// A saved or fresh set of fronts; `label` tells runs apart when several are drawn together.
    public struct Run: Sendable {
        public var label: String?
        public var table: FrontTable
        public init(label: String?, table: FrontTable) { self.label = label; self.table = table }
    }

    /// - Parameters:
    ///   - clean: each task's metric on uncompressed features (same split as the points).
    ///   - metricNames: each task's primary metric (`accuracy`, `psnr`, `miou`), for the axis labels.
    /// The rate on the x axis.
    public enum RateAxis: String, CaseIterable, Sendable {
        /// Bits per element of the feature tensor.
        case bpe
        /// Bits per pixel of the network's input image (points without it are left out).
        case bpp

        var label: String { self == .bpe ? "bits per element" : "bits per input pixel" }
        func value(_ p: FrontPoint) -> Double? { self == .bpe ? p.bpe : p.bitsPerInputPixel }
    }

    public static func chart(title: String, runs: [Run], clean: [String: Double], metricNames: [String: String], rate: RateAxis = .bpe) -> Chart {
        let taskNames = runs.first?.table.taskNames ?? []
        var panels: [ChartPanel] = []
        for task in taskNames {
            var series: [ChartSeries] = []
            for run in runs {
                guard let column = run.table.taskNames.firstIndex(of: task) else { continue }
                var methods: [String] = []
                for p in run.table.points where !methods.contains(p.method) { methods.append(p.method) }
                for method in methods {
                    let name = run.label.map { "\($0): \(method)" } ?? method
                    let mine = run.table.points.filter { $0.method == method && rate.value($0) != nil }
                    if method.hasPrefix("nsga") {
                        // A search front is a cloud in many objectives: show its non-dominated points, every seed.
                        let pts = mine.filter(\.nondominated).map { (x: rate.value($0)!, y: $0.metrics[column]) }
                        series.append(ChartSeries(name: name, points: pts, style: .markers))
                    } else {
                        // A sweep is a curve over budgets: the first seed's points in rate order.
                        let firstSeed = mine.map(\.seed).min() ?? 0
                        let pts = mine.filter { $0.seed == firstSeed }.sorted { $0.bpe < $1.bpe }.map { (x: rate.value($0)!, y: $0.metrics[column]) }
                        series.append(ChartSeries(name: name, points: pts, style: .lineAndMarkers))
                    }
                }
            }
            let metric = metricNames[task] ?? "metric"
            let refs = clean[task].map { [ReferenceLine(y: $0, label: "clean \(shortNumber($0))")] } ?? []
            panels.append(ChartPanel(title: task, xLabel: rate.label, yLabel: axisLabel(metric),
                                     series: series, referenceLines: refs))
        }
        return Chart(title: title, panels: panels)
    }

    /// The y-axis label of a primary metric, with its unit.
    public static func axisLabel(_ metric: String) -> String {
        switch metric {
        case "psnr": return "PSNR [dB]"
        case "miou": return "mIoU"
        case "accuracy": return "accuracy"
        default: return metric
        }
    }

    static func shortNumber(_ x: Double) -> String {
        let s = AxisScale(min: 0, max: max(abs(x), 1e-9))
        return String(format: s.step >= 1 ? "%.2f" : "%.4f", x)
    }
}
