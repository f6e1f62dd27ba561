/// A metric as people read it: accuracies and mIoU with 4 decimals, PSNR in dB likewise.
func formatMetric(_ value: Double) -> String { String(format: "%.4f", value) }

/// A plain left-aligned text table for the human output of commands.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            "  " + cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}
