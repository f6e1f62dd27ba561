import Testing
import FeatureData
@testable import Inference

@Suite("fixed-point first-layer terms")
struct FixedPointFirstConvTests {
    /// `T(c, b)` by its definition, one output at a time: the float32 sum of `2^k·W · x̂` over the
    /// taps inside the input in tap order, rounded to the nearest integer (ties to even). Both the
    /// sparse kernel (zero inputs skipped) and the dense one (every tap, padding included) must
    /// give exactly this, at depths where most inputs are 0 and where few are.
    @Test("store and accumulate equal the definition, sparse and dense samples alike")
    func termsMatchDefinition() throws {
        let (bundle, quantiser) = try IncrementalScorerTests.mini()
        let scorer = Scorer(bundle: bundle, split: .search, quantiser: quantiser)
        let layer = try #require(FixedPointFirstConv(group: scorer.groups[0], stats: quantiser.stats))
        let g = layer.group.geometry, total = layer.total, hw = layer.inputPixels, samples = 24
        var denseSamples = 0, sparseSamples = 0
        for depth in [1, 2, 4, 8] {
            let plan = quantiser.plan(bits: [Int](repeating: depth, count: bundle.channels))
            for channel in stride(from: 0, to: bundle.channels, by: 3) {
                var x = [Float](repeating: 0, count: samples * hw)
                x.withUnsafeMutableBufferPointer { x in
                    for s in 0..<samples {
                        plan.reconstruct(channel: channel, source: scorer.features.pointer + (s * bundle.channels + channel) * hw, count: hw,
                                         destination: x.baseAddress! + s * hw, destinationStride: 1)
                    }
                }
                for s in 0..<samples {
                    let nonZero = x[(s * hw)..<((s + 1) * hw)].filter { $0 != 0 }.count
                    if 100 * nonZero >= FixedPointFirstConv.densePercent * hw { denseSamples += 1 } else { sparseSamples += 1 }
                }
                var expected = [Int32](repeating: 0, count: samples * layer.elementsPerSample)
                for s in 0..<samples {
                    for oy in 0..<g.outputHeight {
                        for ox in 0..<g.outputWidth {
                            for o in 0..<total {
                                var sum: Float = 0
                                for i in 0..<g.kernelHeight {
                                    for j in 0..<g.kernelWidth {
                                        let iy = oy * g.stride - g.padding + i, ix = ox * g.stride - g.padding + j
                                        guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { continue }
                                        let weight = layer.scaledWeights.pointer[(channel * layer.taps + i * g.kernelWidth + j) * total + o]
                                        sum += weight * x[s * hw + iy * g.inputWidth + ix]
                                    }
                                }
                                expected[(s * layer.pixels + oy * g.outputWidth + ox) * total + o] = Int32(sum.rounded(.toNearestOrEven))
                            }
                        }
                    }
                }
                // `accumulate` subtracting from a known start.
                var rows = [Int32](repeating: 7, count: expected.count)
                x.withUnsafeBufferPointer { x in
                    rows.withUnsafeMutableBufferPointer { rows in
                        layer.accumulate(channel: channel, x: x.baseAddress!, samples: samples, sign: -1, into: rows.baseAddress!)
                    }
                }
                #expect(rows == expected.map { 7 &- $0 }, "accumulate, channel \(channel) at \(depth) bits")
                // `store` of a range of pixels into rows `pixelStride` apart, the gaps untouched.
                let range = 3..<(layer.pixels - 2), pixelStride = total + 5
                var stored = [Int32](repeating: -1, count: samples * range.count * pixelStride)
                x.withUnsafeBufferPointer { x in
                    stored.withUnsafeMutableBufferPointer { stored in
                        layer.store(channel: channel, x: x.baseAddress!, samples: samples, pixels: range, into: stored.baseAddress!, pixelStride: pixelStride)
                    }
                }
                var want = [Int32](repeating: -1, count: stored.count)
                for s in 0..<samples {
                    for p in range {
                        for o in 0..<total {
                            want[(s * range.count + p - range.lowerBound) * pixelStride + o] = expected[(s * layer.pixels + p) * total + o]
                        }
                    }
                }
                #expect(stored == want, "store, channel \(channel) at \(depth) bits")
            }
        }
        // Both kernels were exercised.
        #expect(denseSamples > 0 && sparseSamples > 0, "dense \(denseSamples), sparse \(sparseSamples)")
    }
}
