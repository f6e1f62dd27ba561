import Basics
import CHalf
import Foundation

/// Reads and writes NumPy `.npy` files (format versions 1.0, 2.0 and 3.0; C order only).
///
/// The header's shape is checked against the file size before any value buffer is allocated, so
/// a corrupt header can neither allocate gigabytes nor read past the data.
public enum NpyFile {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// Reads the file at `url`. Errors name the file as `displayName` (default: the path).
    public static func read(_ url: URL, displayName: String? = nil) throws -> NpyArray {
        let name = displayName ?? url.path
        let file = try map(url, name: name)
        return try decode(file.bytes, file: name)
    }

    /// The floating-point array at `url` (`<f4`, `<f2` or `<f8`), mapped and read in place: its
    /// header is checked against the file's size, its values are converted only as they are read.
    public static func mapFloatArray(_ url: URL, displayName: String? = nil) throws -> FeatureSource {
        let name = displayName ?? url.path
        let file = try map(url, name: name)
        let layout = try self.layout(file.bytes, file: name)
        guard layout.header.dtype.isFloatingPoint else {
            throw FeatureDataError(file: name, "expected floating-point values (<f4, <f2 or <f8), found dtype \(layout.header.dtype.rawValue)")
        }
        return FeatureSource(mapped: file, layout: layout, displayName: name)
    }

    /// Reads the floating-point array at `url` as float32, converted block by block from the mapped
    /// file: no copy in the stored dtype is ever made, and the pages behind the scan are released.
    public static func readFloatTensor(_ url: URL, displayName: String? = nil) throws -> Tensor<Float> {
        try mapFloatArray(url, displayName: displayName).wholeTensor()
    }

    private static func map(_ url: URL, name: String) throws -> MappedFile {
        do { return try MappedFile(url) } catch {
            throw FeatureDataError(file: name, error.reason == "is a directory, not a file" ? "is a directory, not an .npy file" : error.reason)
        }
    }

    /// Decodes the bytes of an `.npy` file.
    public static func decode(_ data: Data, file: String) throws -> NpyArray {
        try data.withUnsafeBytes { try decode($0, file: file) }
    }

    /// Where the values of an `.npy` file are, once its header is checked against its size.
    struct Layout {
        var header: NpyHeader
        var dataStart: Int
        var count: Int
    }

    /// Parses and checks the preamble and header; the data must be exactly what the header declares.
    static func layout(_ raw: UnsafeRawBufferPointer, file: String) throws -> Layout {
        let bytes = raw.bindMemory(to: UInt8.self)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw FeatureDataError(file: file, "not an .npy file (the magic string \\x93NUMPY is missing)")
        }
        let major = bytes[6], minor = bytes[7]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw FeatureDataError(file: file, "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw FeatureDataError(file: file, "unsupported .npy format version \(major).\(minor) (1.0, 2.0 and 3.0 are read)")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw FeatureDataError(file: file, "truncated .npy header (it claims \(headerLength) bytes, the file has \(bytes.count - headerStart) after the preamble)")
        }
        let headerBytes = UnsafeBufferPointer(rebasing: bytes[headerStart..<(headerStart + headerLength)])
        // Version 3.0 allows UTF-8 in the header; 1.0 and 2.0 are latin-1, which for the keys
        // and values we accept is the same ASCII.
        let headerText = String(decoding: headerBytes, as: UTF8.self)
        let header = try NpyHeader.parse(headerText, file: file)

        let dataStart = headerStart + headerLength
        let available = bytes.count - dataStart
        var count = 1
        for dimension in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw FeatureDataError(file: file, "header shape \(header.shape) is too large") }
            count = product
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: header.dtype.itemSize)
        guard !overflow else { throw FeatureDataError(file: file, "header shape \(header.shape) is too large") }
        guard needed <= available else {
            throw FeatureDataError(file: file, "header shape \(header.shape) of \(header.dtype.rawValue) needs \(needed) bytes of data, the file has \(available) (truncated?)")
        }
        guard needed == available else {
            throw FeatureDataError(file: file, "header shape \(header.shape) of \(header.dtype.rawValue) needs \(needed) bytes of data, the file has \(available) (trailing bytes)")
        }
        return Layout(header: header, dataStart: dataStart, count: count)
    }

    /// Decodes the bytes of an `.npy` file held in memory.
    static func decode(_ raw: UnsafeRawBufferPointer, file: String) throws -> NpyArray {
        let layout = try self.layout(raw, file: file)
        let header = layout.header, count = layout.count
        let source = UnsafeRawBufferPointer(rebasing: raw[layout.dataStart..<(layout.dataStart + count * header.dtype.itemSize)])
        let values: NpyValues
        switch header.dtype {
        case .float32: values = .float32(copy(source, count: count))
        case .float16: values = .float16(copy(source, count: count))
        case .float64: values = .float64(copy(source, count: count))
        case .int64: values = .int64(copy(source, count: count))
        case .int32: values = .int32(copy(source, count: count))
        case .uint8: values = .uint8(copy(source, count: count))
        case .bool:
            // Any byte other than 0 or 1 is not a NumPy bool: reject rather than reinterpret.
            guard !source.contains(where: { $0 > 1 }) else {
                throw FeatureDataError(file: file, "|b1 data holds a byte that is neither 0 nor 1")
            }
            values = .bool(copy(source, count: count))
        }
        return NpyArray(shape: header.shape, values: values)
    }

    /// One memcpy into a fresh array (the host is little-endian: every supported platform is).
    private static func copy<T>(_ source: UnsafeRawBufferPointer, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            if count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source) }
            initialised = count
        }
    }

    /// The bytes of a version 1.0 `.npy` file for `array` (version 2.0 when the header needs it).
    public static func encode(_ array: NpyArray) -> Data {
        let shapeText: String
        switch array.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(array.shape[0]),)"
        default: shapeText = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(array.dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        let version2 = header.utf8.count + 1 + 10 > 65535
        let preamble = version2 ? 12 : 10
        // NumPy pads the header with spaces so the data starts on a 64-byte boundary, then '\n'.
        let padding = (64 - (preamble + header.utf8.count + 1) % 64) % 64
        header += String(repeating: " ", count: padding) + "\n"
        var data = Data(magic)
        let length = header.utf8.count
        if version2 {
            data.append(contentsOf: [2, 0, UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)])
        } else {
            data.append(contentsOf: [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)])
        }
        data.append(contentsOf: Array(header.utf8))
        func append<T>(_ values: [T]) { values.withUnsafeBytes { data.append(contentsOf: $0) } }
        switch array.values {
        case .float32(let v): append(v)
        case .float16(let v): append(v)
        case .float64(let v): append(v)
        case .int64(let v): append(v)
        case .int32(let v): append(v)
        case .uint8(let v): append(v)
        case .bool(let v): append(v)
        }
        return data
    }

    /// Writes `array` to `url` atomically (a temporary file, then a rename).
    public static func write(_ array: NpyArray, to url: URL) throws {
        try encode(array).write(to: url, options: .atomic)
    }
}

/// The parsed header dictionary of an `.npy` file.
struct NpyHeader {
    var dtype: NpyDType
    var shape: [Int]

    /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` (a Python literal).
    static func parse(_ text: String, file: String) throws -> NpyHeader {
        var parser = PythonLiteralParser(text: Array(text.unicodeScalars), file: file)
        let value = try parser.parseValue()
        // NumPy evaluates the whole header as one literal: only padding (whitespace) may follow.
        if parser.peek() != nil { throw parser.failure("something other than padding after the dictionary") }
        guard case .dict(let entries) = value else {
            throw FeatureDataError(file: file, "the .npy header is not a dictionary")
        }
        var descr: PythonLiteral?, fortran: PythonLiteral?, shape: PythonLiteral?
        for (key, value) in entries {
            switch key {
            case "descr": descr = value
            case "fortran_order": fortran = value
            case "shape": shape = value
            default: break
            }
        }
        guard case .string(let descrText)? = descr else {
            if descr != nil { throw FeatureDataError(file: file, "unsupported dtype (structured arrays are not read; supported: \(supportedList))") }
            throw FeatureDataError(file: file, "the .npy header has no 'descr'")
        }
        guard let dtype = NpyDType(rawValue: descrText) else {
            throw FeatureDataError(file: file, "unsupported dtype '\(descrText)' (supported: \(supportedList))")
        }
        guard case .bool(let isFortran)? = fortran else {
            throw FeatureDataError(file: file, "the .npy header has no 'fortran_order'")
        }
        guard !isFortran else {
            throw FeatureDataError(file: file, "Fortran-order arrays are not supported; save it in C order (numpy.ascontiguousarray)")
        }
        guard case .tuple(let items)? = shape else {
            throw FeatureDataError(file: file, "the .npy header has no 'shape' tuple")
        }
        var dimensions: [Int] = []
        for item in items {
            guard case .int(let d) = item, d >= 0 else {
                throw FeatureDataError(file: file, "the .npy header's shape holds something other than a non-negative integer")
            }
            dimensions.append(d)
        }
        return NpyHeader(dtype: dtype, shape: dimensions)
    }

    static var supportedList: String { NpyDType.allCases.map(\.rawValue).joined(separator: " ") }
}

/// The Python literals an `.npy` header uses.
indirect enum PythonLiteral: Equatable {
    case string(String), int(Int), bool(Bool), none, tuple([PythonLiteral]), list([PythonLiteral]), dict([(String, PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.none, .none): return true
        case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): return x == y
        case let (.dict(x), .dict(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}

/// A small recursive-descent parser for the subset of Python literals that NumPy writes.
struct PythonLiteralParser {
    var text: [Unicode.Scalar]
    var file: String
    var position = 0

    init(text: [Unicode.Scalar], file: String) {
        self.text = text
        self.file = file
    }

    mutating func skipSpace() {
        while position < text.count, text[position].properties.isWhitespace { position += 1 }
    }

    func failure(_ what: String) -> FeatureDataError {
        FeatureDataError(file: file, "malformed .npy header (\(what) at character \(position))")
    }

    mutating func expect(_ c: Unicode.Scalar) throws {
        skipSpace()
        guard position < text.count, text[position] == c else { throw failure("expected '\(c)'") }
        position += 1
    }

    mutating func peek() -> Unicode.Scalar? {
        skipSpace()
        return position < text.count ? text[position] : nil
    }

    mutating func parseValue(depth: Int = 0) throws -> PythonLiteral {
        guard depth < 16 else { throw failure("nested too deeply") }
        guard let c = peek() else { throw failure("unexpected end") }
        switch c {
        case "{":
            position += 1
            var entries: [(String, PythonLiteral)] = []
            while true {
                if peek() == "}" { position += 1; break }
                guard case .string(let key) = try parseValue(depth: depth + 1) else { throw failure("a dictionary key is not a string") }
                try expect(":")
                entries.append((key, try parseValue(depth: depth + 1)))
                if peek() == "," { position += 1; continue }
                try expect("}")
                break
            }
            return .dict(entries)
        case "(", "[":
            let close: Unicode.Scalar = c == "(" ? ")" : "]"
            position += 1
            var items: [PythonLiteral] = []
            while true {
                if peek() == close { position += 1; break }
                items.append(try parseValue(depth: depth + 1))
                if peek() == "," { position += 1; continue }
                try expect(close)
                break
            }
            return c == "(" ? .tuple(items) : .list(items)
        case "'", "\"":
            position += 1
            var s = String.UnicodeScalarView()
            while position < text.count, text[position] != c {
                s.append(text[position])
                position += 1
            }
            guard position < text.count else { throw failure("unterminated string") }
            position += 1
            return .string(String(s))
        default:
            var word = ""
            while position < text.count, text[position].properties.isAlphabetic || ("0"..."9").contains(text[position]) || text[position] == "-" || text[position] == "_" {
                word.unicodeScalars.append(text[position])
                position += 1
            }
            if word.hasSuffix("L") { word.removeLast() }  // Python 2 long literals
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                guard let n = Int(word) else { throw failure("unexpected '\(word.isEmpty ? String(c) : word)'") }
                return .int(n)
            }
        }
    }
}
