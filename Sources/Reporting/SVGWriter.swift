import Foundation

/// The few SVG primitives MIPareto's charts use, with coordinates printed to 0.01 px.
public struct SVGWriter: Sendable {
    public enum Marker: CaseIterable, Sendable { case circle, square, triangle, diamond, cross, plus, triangleDown }

    public let width: Double
    public let height: Double
    private var body = ""

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    public var document: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <rect x="0" y="0" width="\(f(width))" height="\(f(height))" fill="white"/>
        \(body)</svg>

        """
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double, dash: String? = nil) {
        body += "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\""
        if let dash { body += " stroke-dasharray=\"\(dash)\"" }
        body += "/>\n"
    }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil) {
        body += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"\(fill)\""
        if let stroke { body += " stroke=\"\(stroke)\"" }
        body += "/>\n"
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double) {
        let pts = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        body += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\" stroke-linejoin=\"round\"/>\n"
    }

    public mutating func text(_ s: String, x: Double, y: Double, size: Double, anchor: String,
                              weight: String? = nil, fill: String = "#222", rotate: Double? = nil) {
        body += "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if let weight { body += " font-weight=\"\(weight)\"" }
        if let rotate { body += " transform=\"rotate(\(f(rotate)) \(f(x)) \(f(y)))\"" }
        body += ">\(SVGWriter.escape(s))</text>\n"
    }

    public mutating func marker(_ shape: Marker, x: Double, y: Double, colour: String, size r: Double = 3.6) {
        switch shape {
        case .circle:
            body += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(colour)\"/>\n"
        case .square:
            rect(x: x - r * 0.85, y: y - r * 0.85, width: 1.7 * r, height: 1.7 * r, fill: colour)
        case .triangle:
            polygon([(x, y - r * 1.1), (x - r, y + r * 0.8), (x + r, y + r * 0.8)], fill: colour)
        case .triangleDown:
            polygon([(x, y + r * 1.1), (x - r, y - r * 0.8), (x + r, y - r * 0.8)], fill: colour)
        case .diamond:
            polygon([(x, y - r * 1.2), (x + r, y), (x, y + r * 1.2), (x - r, y)], fill: colour)
        case .cross:
            line(x1: x - r, y1: y - r, x2: x + r, y2: y + r, stroke: colour, width: 1.8)
            line(x1: x - r, y1: y + r, x2: x + r, y2: y - r, stroke: colour, width: 1.8)
        case .plus:
            line(x1: x - r * 1.2, y1: y, x2: x + r * 1.2, y2: y, stroke: colour, width: 1.8)
            line(x1: x, y1: y - r * 1.2, x2: x, y2: y + r * 1.2, stroke: colour, width: 1.8)
        }
    }

    public mutating func polygon(_ points: [(Double, Double)], fill: String, stroke: String? = nil) {
        let pts = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        body += "<polygon points=\"\(pts)\" fill=\"\(fill)\""
        if let stroke { body += " stroke=\"\(stroke)\"" }
        body += "/>\n"
    }

    /// Appends a `<title>` tooltip-free raw fragment (already valid SVG).
    public mutating func raw(_ fragment: String) { body += fragment }

    private func f(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
