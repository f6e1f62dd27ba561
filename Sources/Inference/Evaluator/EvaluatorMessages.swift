import FeatureData
import Foundation

/// The JSON lines of `mipareto-evaluator/1` (docs/evaluator.md), written by hand: a `score`
/// request of 64 allocations of 1024 channels is 130 kB, and building it through Foundation's
/// serialiser would cost more than the protocol is allowed per allocation.
enum EvaluatorMessages {
    static let protocolName = "mipareto-evaluator/1"

    /// The `start` line: the bundle, its streams and the fit-split quantiser (binary64 in
    /// shortest round-trip form, so both sides quantise identically).
    static func start(bundle: FeatureBundle, quantiser: Quantiser, maxBits: Int) -> [UInt8] {
        var out = "{\"type\":\"start\",\"protocol\":\"\(protocolName)\",\"bundle\":\(string(bundle.name)),"
        let directory = URL(fileURLWithPath: bundle.directory).standardizedFileURL.path
        out += "\"bundleDirectory\":\(string(directory)),\"channels\":\(bundle.channels),\"maxBits\":\(maxBits),"
        out += "\"streams\":[" + bundle.streamsForProtocol.map { s in
            "{\"name\":\(string(s.name)),\"channels\":\(s.channels),\"shape\":[\(s.shape.map(String.init).joined(separator: ","))],\"firstChannel\":\(s.firstChannel)}"
        }.joined(separator: ",") + "],"
        let stats = quantiser.stats
        out += "\"quantiser\":{\"lo\":\(numbers(stats.lo)),\"hi\":\(numbers(stats.hi)),\"mean\":\(numbers(stats.mean))},"
        out += "\"tasks\":[" + bundle.tasks.map { string($0.name) }.joined(separator: ",") + "]}\n"
        return Array(out.utf8)
    }

    /// `{"type":"score","id":7,"split":"search","allocations":[[8,0,3,…],…]}`.
    static func score(id: Int, split: Split, allocations: [[Int]]) -> [UInt8] {
        var out: [UInt8] = Array("{\"type\":\"score\",\"id\":\(id),\"split\":\"\(split.rawValue)\",\"allocations\":[".utf8)
        out.reserveCapacity(out.count + allocations.reduce(0) { $0 + 3 * $1.count + 2 } + 4)
        for (k, bits) in allocations.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            for (c, b) in bits.enumerated() {
                if c > 0 { out.append(UInt8(ascii: ",")) }
                appendDecimal(b, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out += Array("]}\n".utf8)
        return out
    }

    static let stop: [UInt8] = Array("{\"type\":\"stop\"}\n".utf8)

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            out += Array(String(value).utf8)
        }
    }

    /// Swift's `description` of a finite Double is its shortest round-trip form, valid JSON.
    static func numbers(_ values: [Double]) -> String {
        "[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension FeatureBundle {
    /// The streams as the protocol's `start` message lists them.
    var streamsForProtocol: [(name: String, channels: Int, shape: [Int], firstChannel: Int)] {
        streams.map { (name: $0.name, channels: $0.channels, shape: $0.sampleShape, firstChannel: $0.firstChannel) }
    }
}
