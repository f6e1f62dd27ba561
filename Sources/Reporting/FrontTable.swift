import Foundation

/// The points of one or more fronts as `front` writes them to `front.csv`, and as `report` reads
/// them back: the one definition of that file's columns.
///
/// Columns: `method,seed,bpe,bits_per_sample,entropy_bits_per_sample,` then
/// `bits_per_input_pixel` when the bundle gives its input size, `coded_bits_per_sample` when an evaluator measured real bitstreams, one column per task (its
/// primary metric, named after the task; empty in a run without scoring), then
/// `nondominated,bits`.
public struct FrontTable: Sendable {
    public var taskNames: [String]
    public var points: [FrontPoint]

    public init(taskNames: [String], points: [FrontPoint] = []) {
        self.taskNames = taskNames
        self.points = points
    }

    static let leadingColumns = ["method", "seed", "bpe", "bits_per_sample", "entropy_bits_per_sample"]
    static let trailingColumns = ["nondominated", "bits"]
    static let codedColumn = "coded_bits_per_sample"
    static let inputPixelColumn = "bits_per_input_pixel"

    public var csv: CSVTable {
        let coded = points.contains { $0.codedBitsPerSample != nil }
        let perPixel = points.contains { $0.bitsPerInputPixel != nil }
        var table = CSVTable(header: FrontTable.leadingColumns + (perPixel ? [FrontTable.inputPixelColumn] : []) + (coded ? [FrontTable.codedColumn] : [])
                             + taskNames + FrontTable.trailingColumns)
        for p in points {
            var row: [String] = [p.method, String(p.seed), CSVTable.number(p.bpe), CSVTable.number(p.bitsPerSample),
                                 CSVTable.number(p.entropyBitsPerSample)]
            if perPixel { row.append(p.bitsPerInputPixel.map(CSVTable.number) ?? "") }
            if coded { row.append(p.codedBitsPerSample.map(CSVTable.number) ?? "") }
            row += p.metrics.isEmpty ? taskNames.map { _ in "" } : p.metrics.map(CSVTable.number)
            row += [p.nondominated ? "true" : "false", FrontTable.encode(bits: p.bits)]
            table.append(row)
        }
        return table
    }

    /// Reads `front.csv`; `source` names the file in error messages.
    public init(csvText: String, source: String) throws {
        let parsed: (header: [String], rows: [[String]])
        do { parsed = try CSVReader.parse(csvText) } catch { throw FrontTableError(source: source, reason: "\(error)") }
        let header = parsed.header
        let first = FrontTable.leadingColumns.count
        let perPixel = header.count > first && header[first] == FrontTable.inputPixelColumn
        let codedColumn = first + (perPixel ? 1 : 0)
        let coded = header.count > codedColumn && header[codedColumn] == FrontTable.codedColumn
        let lead = codedColumn + (coded ? 1 : 0), trail = FrontTable.trailingColumns.count
        guard header.count > lead + trail,
              Array(header.prefix(FrontTable.leadingColumns.count)) == FrontTable.leadingColumns,
              Array(header.suffix(trail)) == FrontTable.trailingColumns
        else {
            throw FrontTableError(source: source, reason: "header is not `\((FrontTable.leadingColumns + ["<tasks>"] + FrontTable.trailingColumns).joined(separator: ","))`")
        }
        taskNames = Array(header[lead..<(header.count - trail)])
        points = []
        for (i, row) in parsed.rows.enumerated() {
            let line = i + 2
            func number(_ column: Int) throws -> Double {
                guard let v = Double(row[column]) else {
                    throw FrontTableError(source: source, reason: "line \(line): column \(header[column]) is not a number: '\(row[column])'")
                }
                return v
            }
            guard let seed = Int(row[1]) else { throw FrontTableError(source: source, reason: "line \(line): seed is not an integer") }
            let nd = row[header.count - 2]
            guard nd == "true" || nd == "false" else { throw FrontTableError(source: source, reason: "line \(line): nondominated must be true or false") }
            guard let bits = FrontTable.decode(bits: row[header.count - 1]) else {
                throw FrontTableError(source: source, reason: "line \(line): bits is not an allocation: '\(row[header.count - 1])'")
            }
            let metricColumns = lead..<(header.count - trail)
            let unscored = metricColumns.allSatisfy { row[$0].isEmpty }
            points.append(FrontPoint(method: row[0], seed: seed, bpe: try number(2), bitsPerSample: try number(3),
                                entropyBitsPerSample: try number(4),
                                metrics: unscored ? [] : try metricColumns.map(number),
                                nondominated: nd == "true", bits: bits,
                                codedBitsPerSample: coded && !row[codedColumn].isEmpty ? try number(codedColumn) : nil,
                                bitsPerInputPixel: perPixel && !row[first].isEmpty ? try number(first) : nil))
        }
    }

    /// Bit depths as a compact string: the depths joined by `-` (`8-8-0-3`), so a CSV cell never
    /// needs quoting and depths above 9 stay unambiguous.
    public static func encode(bits: [Int]) -> String { bits.map(String.init).joined(separator: "-") }

    public static func decode(bits: String) -> [Int]? {
        let parts = bits.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        return parts.map { $0! }
    }
}

public struct FrontTableError: Error, CustomStringConvertible {
    public let source: String
    public let reason: String
    public var description: String { "\(source): \(reason)" }
}
