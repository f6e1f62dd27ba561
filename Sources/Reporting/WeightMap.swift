import Foundation

/// Which method wins where on the simplex of task weights (the paper's multi-objective analysis):
/// two tasks as a strip along the first task's weight, three as a ternary triangle, more as one
/// column per weight vector with the weights drawn as bars under the winner's colour.
public struct WeightMap: Sendable {
    public var title: String
    public var taskNames: [String]
    /// One weight vector per grid point (each sums to 1), in `taskNames` order.
    public var weights: [[Double]]
    /// The winning method at each grid point.
    public var winners: [String]
    /// Every method compared, in a fixed order: colours follow it, so a method keeps its colour from
    /// one map to the next and one that never wins still has its legend entry.
    public var methods: [String]

    public init(title: String, taskNames: [String], weights: [[Double]], winners: [String], methods: [String]? = nil) {
        precondition(weights.count == winners.count, "one winner per weight vector")
        self.title = title
        self.taskNames = taskNames
        self.weights = weights
        self.winners = winners
        var order = methods ?? []
        for w in winners where !order.contains(w) { order.append(w) }
        self.methods = order
    }

    public func svg(width: Double = 900) -> String {
        switch taskNames.count {
        case 2: return strip(width: width)
        case 3: return triangle(width: width)
        default: return columns(width: width)
        }
    }

    private func colour(_ method: String) -> String { Palette.colour(methods.firstIndex(of: method) ?? 0) }

    private func legend(_ svg: inout SVGWriter, top: Double, width: Double) {
        let layout = LegendLayout(names: methods, width: width)
        let rowWidth = Double(min(layout.perRow, methods.count)) * layout.entryWidth
        let x0 = (width - rowWidth) / 2
        for (i, name) in methods.enumerated() {
            let x = x0 + Double(i % layout.perRow) * layout.entryWidth
            let y = top + 14 + Double(i / layout.perRow) * 20
            svg.rect(x: x, y: y - 11, width: 18, height: 12, fill: colour(name))
            svg.text(name, x: x + 24, y: y, size: 12, anchor: "start")
        }
    }

    private func legendHeight(_ width: Double) -> Double { LegendLayout(names: methods, width: width).height }

    private func strip(width: Double) -> String {
        let left = 60.0, right = width - 40, top = 60.0, barHeight = 40.0
        let height = top + barHeight + 60 + legendHeight(width) + 10
        var svg = SVGWriter(width: width, height: height)
        svg.text(title, x: width / 2, y: 24, size: 16, anchor: "middle", weight: "bold")
        let order = weights.indices.sorted { weights[$0][0] < weights[$1][0] }
        let xs = order.map { weights[$0][0] }
        for (k, i) in order.enumerated() {
            // Each point owns the interval halfway to its neighbours.
            let lo = k == 0 ? 0 : (xs[k - 1] + xs[k]) / 2
            let hi = k == order.count - 1 ? 1 : (xs[k] + xs[k + 1]) / 2
            svg.rect(x: left + lo * (right - left), y: top, width: (hi - lo) * (right - left) + 0.3, height: barHeight, fill: colour(winners[i]))
        }
        svg.rect(x: left, y: top, width: right - left, height: barHeight, fill: "none", stroke: "#444")
        let scale = AxisScale(min: 0, max: 1)
        for t in scale.ticks {
            let x = left + t * (right - left)
            svg.line(x1: x, y1: top + barHeight, x2: x, y2: top + barHeight + 5, stroke: "#444", width: 1)
            svg.text(scale.label(t), x: x, y: top + barHeight + 18, size: 11, anchor: "middle")
        }
        svg.text("weight of \(taskNames[0]) (weight of \(taskNames[1]) = 1 − that)", x: (left + right) / 2,
                 y: top + barHeight + 38, size: 12, anchor: "middle")
        legend(&svg, top: top + barHeight + 46, width: width)
        return svg.document
    }

    private func triangle(width: Double) -> String {
        let side = min(width - 160, 560.0)
        let h = side * 3.0.squareRoot() / 2
        let top = 80.0
        let cx = width / 2
        // Corners: task 0 at the top, task 1 bottom left, task 2 bottom right.
        let corners = [(cx, top), (cx - side / 2, top + h), (cx + side / 2, top + h)]
        let height = top + h + 50 + legendHeight(width) + 10
        var svg = SVGWriter(width: width, height: height)
        svg.text(title, x: width / 2, y: 24, size: 16, anchor: "middle", weight: "bold")
        svg.polygon(corners, fill: "none", stroke: "#444")
        // A regular grid of H divisions has (H+1)(H+2)/2 points, side/H apart: markers nearly touch.
        let divisions = max(1, (((8 * Double(weights.count) + 1).squareRoot() - 3) / 2).rounded())
        let spacing = side / divisions
        for (w, winner) in zip(weights, winners) {
            let x = w[0] * corners[0].0 + w[1] * corners[1].0 + w[2] * corners[2].0
            let y = w[0] * corners[0].1 + w[1] * corners[1].1 + w[2] * corners[2].1
            svg.raw("<circle cx=\"\(String(format: "%.2f", x))\" cy=\"\(String(format: "%.2f", y))\" r=\"\(String(format: "%.2f", spacing * 0.42))\" fill=\"\(colour(winner))\"/>\n")
        }
        // Corner labels stand clear of the corner markers (radius ≈ 0.42 of the grid spacing).
        let clearance = spacing * 0.42 + 6
        svg.text("\(taskNames[0]) = 1", x: corners[0].0, y: corners[0].1 - clearance - 2, size: 12, anchor: "middle")
        svg.text("\(taskNames[1]) = 1", x: corners[1].0 - clearance, y: corners[1].1 + clearance + 10, size: 12, anchor: "end")
        svg.text("\(taskNames[2]) = 1", x: corners[2].0 + clearance, y: corners[2].1 + clearance + 10, size: 12, anchor: "start")
        legend(&svg, top: top + h + 36, width: width)
        return svg.document
    }

    private func columns(width: Double) -> String {
        let labelWidth = Double(max(6, taskNames.map(\.count).max() ?? 0) + 3) * 7.5 + 16
        let left = labelWidth, right = width - 20
        let order = weights.indices.sorted { (methods.firstIndex(of: winners[$0])!, $0) < (methods.firstIndex(of: winners[$1])!, $1) }
        let cell = (right - left) / Double(max(1, order.count))
        let top = 50.0, winnerRow = 24.0, rowHeight = 34.0
        let gridBottom = top + winnerRow + 6 + Double(taskNames.count) * rowHeight
        let height = gridBottom + 36 + legendHeight(width) + 10
        var svg = SVGWriter(width: width, height: height)
        svg.text(title, x: width / 2, y: 24, size: 16, anchor: "middle", weight: "bold")
        svg.text("winner", x: left - 8, y: top + 16, size: 12, anchor: "end")
        for (k, i) in order.enumerated() {
            let x = left + Double(k) * cell
            svg.rect(x: x, y: top, width: cell + 0.3, height: winnerRow, fill: colour(winners[i]))
            for (t, w) in weights[i].enumerated() {
                let rowTop = top + winnerRow + 6 + Double(t) * rowHeight
                let barHeight = (rowHeight - 6) * w
                svg.rect(x: x + cell * 0.1, y: rowTop + (rowHeight - 6) - barHeight, width: cell * 0.8, height: barHeight, fill: "#888")
            }
        }
        for (t, name) in taskNames.enumerated() {
            let rowTop = top + winnerRow + 6 + Double(t) * rowHeight
            svg.text("w(\(name))", x: left - 8, y: rowTop + rowHeight / 2 + 2, size: 12, anchor: "end")
            svg.line(x1: left, y1: rowTop + rowHeight - 6, x2: right, y2: rowTop + rowHeight - 6, stroke: "#ccc", width: 1)
        }
        svg.text("weight vectors on the simplex, grouped by winner (bar height = task weight, 0…1)",
                 x: (left + right) / 2, y: gridBottom + 16, size: 12, anchor: "middle")
        legend(&svg, top: gridBottom + 22, width: width)
        return svg.document
    }
}
