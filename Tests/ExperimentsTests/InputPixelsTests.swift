import FeatureData
import Foundation
import Reporting
import Testing
@testable import Experiments

/// `inputPixels` in bundle.json: every rate also in bits per input pixel (CSV column, JSON key).
@Suite("front: bits per input pixel")
struct InputPixelsTests {
    /// A copy of the embedded bundle whose bundle.json says `inputPixels` (raw JSON text).
    static func bundle(inputPixels: String?) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pixels-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Paths.mini, to: dir)
        let manifest = dir.appendingPathComponent("bundle.json")
        var text = try String(contentsOf: manifest, encoding: .utf8)
        if let inputPixels {
            let brace = text.firstIndex(of: "{")!
            text.insert(contentsOf: "\"inputPixels\": \(inputPixels),", at: text.index(after: brace))
        }
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        return dir
    }

    @Test("64 input pixels: bits per input pixel = bits per sample / 64 in the CSV and the summary; without it, neither")
    func reported() throws {
        let dir = try Self.bundle(inputPixels: "64")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = try FeatureBundle(directory: dir.path)
        #expect(bundle.inputPixels == 64)
        let settings = FrontSettings(methods: [.ilp(.l1), .uniform], budgets: [1, 2], maxBits: 4, seeds: [1])
        let result = try FrontRunner(bundle: bundle, settings: settings).run()
        // uniform at b bits: 32 channels · 32 elements · b bits = 1024·b bits per sample, /64 = 16·b.
        let uniform = result.points.filter { $0.method == "uniform" }
        #expect(uniform.map(\.bitsPerInputPixel) == [0, 16, 32, 48, 64])
        let csv = FrontReport.table(result).csv.text
        #expect(csv.hasPrefix("method,seed,bpe,bits_per_sample,entropy_bits_per_sample,bits_per_input_pixel,left,"))
        let back = try FrontTable(csvText: csv, source: "front.csv")
        #expect(back.points == result.points)
        let summary = FrontReport.summary(result).rendered(pretty: false)
        #expect(summary.contains("\"inputPixels\":64"))
        let uniformFront = result.methods.first { $0.name == "uniform" }!.front
        #expect(summary.contains("\"frontBitsPerInputPixel\":[" + uniformFront.map { JSONValue.number($0[0] * 1024 / 64).rendered() }.joined(separator: ",") + "]"))
        // The chart can plot it.
        let svg = FrontChart.chart(title: "t", runs: [.init(label: nil, table: back)], clean: [:], metricNames: [:], rate: .bpp).svg()
        #expect(svg.contains("bits per input pixel"))

        let plain = try FrontRunner(bundle: FeatureBundle(directory: Paths.mini.path), settings: settings).run()
        #expect(plain.points.allSatisfy { $0.bitsPerInputPixel == nil })
        #expect(!FrontReport.table(plain).csv.text.contains("bits_per_input_pixel"))
        #expect(!FrontReport.summary(plain).rendered(pretty: false).contains("inputPixels"))
    }

    @Test("inputPixels that is not a positive integer is invalid input naming the field")
    func invalid() throws {
        for bad in ["0", "-3", "2.5", "\"128\"", "true"] {
            let dir = try Self.bundle(inputPixels: bad)
            defer { try? FileManager.default.removeItem(at: dir) }
            #expect("\(bad)") {
                _ = try FeatureBundle(directory: dir.path)
            } throws: { error in
                "\(error)".contains("bundle.json") && "\(error)".contains("inputPixels")
            }
        }
    }
}
