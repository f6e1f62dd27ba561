import Allocation
import FeatureData
import Foundation
import Testing

/// The float16 histogram path of `DistortionTable(fitOf:)` (one count per distinct value) against
/// the element-by-element pass over the same values converted to float32 (`init(features:…)`), an
/// independent computation of the same sums: equal to 1e-12 relative (only the order of the sum
/// differs). Includes a constant channel, a channel of few distinct values and a mixed-sign one.
@Suite struct HalfHistogramDistortionTests {
    @Test func histogramPathMatchesElementPass() throws {
        let n = 40, c = 4, hw = 6
        var values = [Float16](repeating: 0, count: n * c * hw)
        var state: UInt64 = 12345
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        for s in 0..<n {
            for ch in 0..<c {
                for k in 0..<hw {
                    let v: Double
                    switch ch {
                    case 0: v = 3 * next()                       // continuous, positive
                    case 1: v = 1.5                              // constant
                    case 2: v = Double(Int(next() * 4)) * 0.25   // four distinct values
                    default: v = 8 * next() - 5                  // both signs
                    }
                    values[(s * c + ch) * hw + k] = Float16(v)
                }
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("half-hist-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("fit.npy")
        try NpyFile.write(NpyArray(shape: [n, c, 2, 3], values: .float16(values)), to: url)
        let source = try NpyFile.mapFloatArray(url)
        #expect(source.isMapped)
        let stream = FeatureStream(name: "features", firstChannel: 0, sources: [.fit: source, .eval: source])
        let bundle = FeatureBundle(name: "half", description: "", directory: dir.path, streams: [stream], tasks: [])
        let viaHistograms = DistortionTable(fitOf: bundle, maxBits: 8)

        let tensor = try source.wholeTensor()
        let quantiser = Quantiser(stats: ChannelStats(features: tensor))
        let elementwise = DistortionTable(features: tensor, quantiser: quantiser, maxBits: 8)
        for ch in 0..<c {
            for b in 0...8 {
                let x = viaHistograms.absolute[ch][b], y = elementwise.absolute[ch][b]
                #expect(abs(x - y) <= 1e-12 * max(abs(y), 1e-300), "channel \(ch) depth \(b): \(x) vs \(y)")
            }
        }
        // The constant channel: zero distortion at every depth.
        #expect(viaHistograms.absolute[1].allSatisfy { $0 == 0 })
    }
}
