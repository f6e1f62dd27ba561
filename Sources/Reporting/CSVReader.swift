/// Reads CSV written by `CSVTable` or any RFC 4180 writer (quoted fields, doubled quotes, CRLF or LF).
public enum CSVReader {
    public struct Failure: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// The header and the rows; every row must have as many fields as the header.
    public static func parse(_ text: String) throws -> (header: [String], rows: [[String]]) {
        var records: [[String]] = []
        var field = "", record: [String] = []
        var inQuotes = false, fieldWasQuoted = false
        var line = 1
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let d = next() {
                        if d == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = d }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty && !fieldWasQuoted else { throw Failure(line: line, reason: "a quote inside an unquoted field") }
                inQuotes = true; fieldWasQuoted = true
            case ",":
                record.append(field); field = ""; fieldWasQuoted = false
            case "\r":
                break
            case "\n":
                record.append(field); records.append(record)
                field = ""; record = []; fieldWasQuoted = false; line += 1
            default:
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw Failure(line: line, reason: "a quoted field is not closed") }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted { record.append(field); records.append(record) }
        guard let header = records.first else { throw Failure(line: 1, reason: "empty file: no header") }
        for (i, r) in records.enumerated().dropFirst() where r.count != header.count {
            throw Failure(line: i + 1, reason: "\(r.count) fields where the header has \(header.count)")
        }
        return (header, Array(records.dropFirst()))
    }
}
