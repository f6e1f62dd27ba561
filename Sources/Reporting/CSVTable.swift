import Foundation

/// A plain CSV table (RFC 4180): header first, no comment lines, fields quoted only when needed.
public struct CSVTable: Sendable {
    public var header: [String]
    public private(set) var rows: [[String]] = []

    public init(header: [String]) { self.header = header }

    /// Appends a row; it must have one field per header column.
    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "CSV row has \(row.count) fields, header has \(header.count)")
        rows.append(row)
    }

    public var text: String {
        var out = ""
        for row in [header] + rows {
            out += row.map(CSVTable.field).joined(separator: ",")
            out += "\n"
        }
        return out
    }

    /// A number in shortest round-trip form (the same text JSON output uses).
    public static func number(_ x: Double) -> String { x.isFinite ? JSONValue.format(x) : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf")) }

    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
