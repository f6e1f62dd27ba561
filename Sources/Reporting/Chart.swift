import Foundation

/// One named set of points drawn in every panel it appears in with the same colour and marker.
public struct ChartSeries: Sendable {
    public enum Style: Sendable { case line, markers, lineAndMarkers }
    public var name: String
    public var points: [(x: Double, y: Double)]
    public var style: Style

    public init(name: String, points: [(x: Double, y: Double)], style: Style = .lineAndMarkers) {
        self.name = name
        self.points = points
        self.style = style
    }
}

/// A horizontal dashed line, e.g. a task's clean (uncompressed) metric.
public struct ReferenceLine: Sendable {
    public var y: Double
    public var label: String
    public init(y: Double, label: String) { self.y = y; self.label = label }
}

/// One plot: axes, series and reference lines.
public struct ChartPanel: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    public var referenceLines: [ReferenceLine]

    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries], referenceLines: [ReferenceLine] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.referenceLines = referenceLines
    }
}

/// Several panels side by side (two per row) with one legend below them, outside the data.
/// Series are matched across panels by name: one legend entry, one colour and marker per name.
public struct Chart: Sendable {
    public var title: String
    public var panels: [ChartPanel]
    public var columns: Int

    public init(title: String, panels: [ChartPanel], columns: Int = 2) {
        self.title = title
        self.panels = panels
        self.columns = max(1, min(columns, panels.count))
    }

    /// The chart as an SVG document `width` pixels wide (readable at 900).
    public func svg(width: Double = 900) -> String {
        let names = seriesNames
        let panelWidth = width / Double(columns)
        let panelHeight = min(360, panelWidth * 0.72)
        let rows = (panels.count + columns - 1) / columns
        let titleHeight: Double = title.isEmpty ? 10 : 36
        let legend = LegendLayout(names: names, width: width)
        let height = titleHeight + Double(rows) * panelHeight + legend.height + 10

        var svg = SVGWriter(width: width, height: height)
        if !title.isEmpty {
            svg.text(title, x: width / 2, y: 24, size: 16, anchor: "middle", weight: "bold")
        }
        for (i, panel) in panels.enumerated() {
            let x0 = Double(i % columns) * panelWidth
            let y0 = titleHeight + Double(i / columns) * panelHeight
            draw(panel, names: names, into: &svg, frame: (x0, y0, panelWidth, panelHeight))
        }
        legend.draw(into: &svg, top: titleHeight + Double(rows) * panelHeight + 4)
        return svg.document
    }

    var seriesNames: [String] {
        var seen: [String] = []
        for panel in panels { for s in panel.series where !seen.contains(s.name) { seen.append(s.name) } }
        return seen
    }

    private func draw(_ panel: ChartPanel, names: [String], into svg: inout SVGWriter,
                      frame: (x: Double, y: Double, w: Double, h: Double)) {
        let left = frame.x + 64, right = frame.x + frame.w - 16
        let top = frame.y + 28, bottom = frame.y + frame.h - 46
        let xs = panel.series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        let ys = (panel.series.flatMap { $0.points.map(\.y) } + panel.referenceLines.map(\.y)).filter(\.isFinite)
        let xScale = AxisScale(min: xs.min() ?? 0, max: xs.max() ?? 1)
        let yScale = AxisScale(min: ys.min() ?? 0, max: ys.max() ?? 1)
        let px = { (x: Double) in left + xScale.fraction(x) * (right - left) }
        let py = { (y: Double) in bottom - yScale.fraction(y) * (bottom - top) }

        svg.text(panel.title, x: (left + right) / 2, y: frame.y + 18, size: 14, anchor: "middle", weight: "bold")
        // Grid and ticks.
        for t in xScale.ticks {
            svg.line(x1: px(t), y1: top, x2: px(t), y2: bottom, stroke: "#e5e5e5", width: 1)
            svg.text(xScale.label(t), x: px(t), y: bottom + 16, size: 11, anchor: "middle")
        }
        for t in yScale.ticks {
            svg.line(x1: left, y1: py(t), x2: right, y2: py(t), stroke: "#e5e5e5", width: 1)
            svg.text(yScale.label(t), x: left - 6, y: py(t) + 4, size: 11, anchor: "end")
        }
        svg.rect(x: left, y: top, width: right - left, height: bottom - top, fill: "none", stroke: "#444")
        svg.text(panel.xLabel, x: (left + right) / 2, y: bottom + 34, size: 12, anchor: "middle")
        svg.text(panel.yLabel, x: frame.x + 16, y: (top + bottom) / 2, size: 12, anchor: "middle", rotate: -90)

        for ref in panel.referenceLines where ref.y.isFinite {
            svg.line(x1: left, y1: py(ref.y), x2: right, y2: py(ref.y), stroke: "#555", width: 1.2, dash: "6 4")
            // Left end: rate–metric curves approach the clean line at high rates (the right end),
            // so the label stays clear of the data there; below the line when it runs along the top.
            let above = py(ref.y) - top > 14
            svg.text(ref.label, x: left + 4, y: above ? py(ref.y) - 4 : py(ref.y) + 12, size: 10, anchor: "start", fill: "#555")
        }
        for s in panel.series {
            let index = names.firstIndex(of: s.name) ?? 0
            let colour = Palette.colour(index)
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (px($0.x), py($0.y)) }
            if s.style != .markers, pts.count > 1 {
                svg.polyline(pts, stroke: colour, width: 1.6)
            }
            if s.style != .line {
                for p in pts { svg.marker(Palette.marker(index), x: p.0, y: p.1, colour: colour) }
            }
        }
    }
}

/// Legend entries in rows across the full width, below the panels.
struct LegendLayout {
    let names: [String]
    let width: Double
    let entryWidth: Double
    let perRow: Int

    init(names: [String], width: Double) {
        self.names = names
        self.width = width
        let longest = names.map(\.count).max() ?? 0
        entryWidth = Double(max(8, longest)) * 7 + 34
        perRow = max(1, Int((width - 40) / entryWidth))
    }

    var height: Double { names.isEmpty ? 0 : Double((names.count + perRow - 1) / perRow) * 20 + 8 }

    func draw(into svg: inout SVGWriter, top: Double) {
        let rowWidth = Double(min(perRow, names.count)) * entryWidth
        let x0 = (width - rowWidth) / 2
        for (i, name) in names.enumerated() {
            let x = x0 + Double(i % perRow) * entryWidth
            let y = top + 14 + Double(i / perRow) * 20
            svg.line(x1: x, y1: y - 4, x2: x + 22, y2: y - 4, stroke: Palette.colour(i), width: 1.6)
            svg.marker(Palette.marker(i), x: x + 11, y: y - 4, colour: Palette.colour(i))
            svg.text(name, x: x + 28, y: y, size: 12, anchor: "start")
        }
    }
}

/// Colours (Tableau 10, distinguishable and print-safe) and marker shapes, cycled by series index;
/// the shape cycles at a different period so colour and shape pairs stay unique for 30 series.
enum Palette {
    static let colours = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                          "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    static func colour(_ i: Int) -> String { colours[i % colours.count] }
    static func marker(_ i: Int) -> SVGWriter.Marker { SVGWriter.Marker.allCases[i % SVGWriter.Marker.allCases.count] }
}
