import Foundation

/// A rows × columns grid of values coloured on one scale, e.g. importance per channel (rows) and
/// task (columns). Each column can be normalised to its own maximum, because tasks' scores live on
/// different scales (nats for MI, squared units for variance…) and the reader compares channels
/// within a task.
public struct HeatMap: Sendable {
    public var title: String
    public var rowLabel: String
    public var columnNames: [String]
    /// values[column][row]
    public var values: [[Double]]
    public var normalisePerColumn: Bool

    public init(title: String, rowLabel: String, columnNames: [String], values: [[Double]], normalisePerColumn: Bool = true) {
        self.title = title
        self.rowLabel = rowLabel
        self.columnNames = columnNames
        self.values = values
        self.normalisePerColumn = normalisePerColumn
    }

    /// Drawn with channels across (left to right) and tasks down, so hundreds of channels still fit
    /// 900 px and task names stay readable.
    public func svg(width: Double = 900) -> String {
        let rows = values.first?.count ?? 0
        let labelWidth = Double(max(6, columnNames.map(\.count).max() ?? 0)) * 7.5 + 16
        let left = labelWidth, right = width - 20
        let cell = (right - left) / Double(max(1, rows))
        let cellHeight: Double = max(22, min(40, cell * 1.5))
        let top: Double = 44
        let gridBottom = top + Double(columnNames.count) * cellHeight
        let height = gridBottom + 90
        var svg = SVGWriter(width: width, height: height)
        svg.text(title, x: width / 2, y: 24, size: 16, anchor: "middle", weight: "bold")

        let globalMax = values.flatMap { $0 }.filter(\.isFinite).max() ?? 1
        for (c, column) in values.enumerated() {
            let colMax = normalisePerColumn ? (column.filter(\.isFinite).max() ?? 1) : globalMax
            let y = top + Double(c) * cellHeight
            svg.text(columnNames[c], x: left - 8, y: y + cellHeight / 2 + 4, size: 12, anchor: "end")
            for (r, v) in column.enumerated() {
                let t = colMax > 0 && v.isFinite ? max(0, min(1, v / colMax)) : 0
                svg.rect(x: left + Double(r) * cell, y: y, width: cell + 0.3, height: cellHeight - 1, fill: HeatMap.colour(t))
            }
        }
        // Channel ticks: about ten labelled positions.
        let step = max(1, Int(AxisScale.niceNumber(Double(rows) / 10, round: true)))
        for r in stride(from: 0, to: rows, by: step) {
            let x = left + (Double(r) + 0.5) * cell
            svg.line(x1: x, y1: gridBottom, x2: x, y2: gridBottom + 4, stroke: "#444", width: 1)
            svg.text(String(r), x: x, y: gridBottom + 16, size: 11, anchor: "middle")
        }
        svg.text(rowLabel, x: (left + right) / 2, y: gridBottom + 34, size: 12, anchor: "middle")
        // Colour bar.
        let barLeft = width / 2 - 120, barTop = gridBottom + 48
        for i in 0..<60 {
            svg.rect(x: barLeft + Double(i) * 4, y: barTop, width: 4.3, height: 10, fill: HeatMap.colour(Double(i) / 59))
        }
        svg.text("0", x: barLeft - 6, y: barTop + 9, size: 11, anchor: "end")
        svg.text(normalisePerColumn ? "row maximum" : String(format: "%.3g", globalMax), x: barLeft + 246, y: barTop + 9, size: 11, anchor: "start")
        return svg.document
    }

    /// Viridis, sampled at nine stops and interpolated: perceptually even and colour-blind safe.
    static func colour(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
            (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
        ]
        let x = max(0, min(1, t)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(x))
        let u = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        let rgb = [a.0 + (b.0 - a.0) * u, a.1 + (b.1 - a.1) * u, a.2 + (b.2 - a.2) * u].map { Int($0.rounded()) }
        return String(format: "#%02x%02x%02x", rgb[0], rgb[1], rgb[2])
    }
}
