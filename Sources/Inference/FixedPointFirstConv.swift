import FeatureData

/// A shared first conv (`SharedFirstConv`) taken apart channel by channel, for incremental scoring.
///
/// The first conv is linear in each input channel: its pre-activation is
/// `bias + Σ_c W_c ∗ x̂_c`, and `x̂_c` depends only on channel `c`'s bit depth. Here each channel's
/// term is computed on its own (a single-channel conv in float32, taps in a fixed order) and rounded
/// to a fixed-point grid of step `2^-k`: `T(c, b) = round(2^k · (W_c ∗ x̂_c(b)))` as an `Int32`.
/// The pre-activation is kept as the integer sum `round(2^k·bias) + Σ_c T(c, b_c)`.
///
/// Why integers: integer sums are exact and associative, so a pre-activation reached by any chain
/// of updates (`− T(c, old) + T(c, new)` for the changed channels) is bit-for-bit the one computed
/// from scratch. Results therefore depend only on the allocation, never on which cached allocation
/// an update started from, nor on the order allocations were scored in. Floats would drift by a
/// rounding per update and could flip an argmax at a tiny margin depending on the path.
///
/// `k` is the largest power such that `|pre-activation| · 2^k ≤ 2^30` for every possible input
/// (bounded from the weights and the fit ranges), so nothing overflows. For digits-pair `2^-k` is
/// about 1e-7 of the largest possible pre-activation, below float32's own rounding of the sgemm.
final class FixedPointFirstConv: @unchecked Sendable {
    let group: SharedFirstConv
    let channels: Int
    /// Outputs (all members side by side), output pixels `Ho·Wo`, input pixels `H·W`, taps `kh·kw`.
    let total: Int
    let pixels: Int
    let inputPixels: Int
    let taps: Int
    /// `[C, taps, total]`: channel `c`'s slice of the fused weight, contiguous.
    let channelWeights: FixedBuffer<Float>
    /// Output pixel `p` reads taps `tapStart[p] ..< tapStart[p + 1]` of `tapIndex` / `tapInput`
    /// (only taps inside the input: zero padding contributes nothing).
    let tapStart: FixedBuffer<Int>
    let tapIndex: FixedBuffer<Int>
    let tapInput: FixedBuffer<Int>
    /// `2^k` and `2^-k`.
    let scale: Float
    let inverseScale: Float
    let exponent: Int
    /// `round(2^k · bias)` per output.
    let biasFixed: FixedBuffer<Int32>

    /// Elements of the pre-activation per sample (`Ho·Wo·total`).
    var elementsPerSample: Int { pixels * total }

    /// nil when no fixed-point grid fine enough fits in 32 bits (absurdly large weights or
    /// features); the caller then scores everything on the plain path.
    init?(group: SharedFirstConv, stats: ChannelStats) {
        let g = group.geometry
        self.group = group
        channels = g.inputChannels
        total = group.totalChannels
        pixels = g.outputHeight * g.outputWidth
        inputPixels = g.inputHeight * g.inputWidth
        taps = g.kernelHeight * g.kernelWidth
        let c = channels, total = self.total, taps = self.taps
        let weights = FixedBuffer<Float>(count: c * taps * total, repeating: 0)
        for channel in 0..<c {
            for tap in 0..<taps {
                (weights.pointer + (channel * taps + tap) * total).update(from: group.weight.pointer + (tap * c + channel) * total, count: total)
            }
        }
        channelWeights = weights

        var start = [0], index: [Int] = [], input: [Int] = []
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                for i in 0..<g.kernelHeight {
                    let iy = oy * g.stride - g.padding + i
                    guard iy >= 0, iy < g.inputHeight else { continue }
                    for j in 0..<g.kernelWidth {
                        let ix = ox * g.stride - g.padding + j
                        guard ix >= 0, ix < g.inputWidth else { continue }
                        index.append(i * g.kernelWidth + j)
                        input.append(iy * g.inputWidth + ix)
                    }
                }
                start.append(index.count)
            }
        }
        tapStart = FixedBuffer(copying: start)
        tapIndex = FixedBuffer(copying: index)
        tapInput = FixedBuffer(copying: input)

        // Largest possible |pre-activation| per output: |bias| + Σ_c max|x̂_c| · Σ_taps |W|.
        // x̂ lies in [lo, hi] (or is the mean); 1 % margin for float32 rounding of x̂ and of sums.
        var bound = 0.0
        for o in 0..<total {
            var b = abs(Double(group.bias.pointer[o]))
            for channel in 0..<c {
                let m = Swift.max(abs(stats.lo[channel]), abs(stats.hi[channel]), abs(stats.mean[channel]))
                var sum = 0.0
                for tap in 0..<taps { sum += abs(Double(weights.pointer[(channel * taps + tap) * total + o])) }
                b += m * sum
            }
            bound = Swift.max(bound, b)
        }
        bound = bound * 1.01 + 1e-30
        // Each of the C + 1 rounded terms adds at most 1/2: keep the sum below 2^30 + C.
        var k = Int((log2(Double(1 << 30) / bound)).rounded(.down))
        k = Swift.min(k, 40)
        guard k >= 12, bound.isFinite else { return nil }
        exponent = k
        scale = Float(sign: .plus, exponent: k, significand: 1)
        inverseScale = Float(sign: .plus, exponent: -k, significand: 1)
        let fixedBias = FixedBuffer<Int32>(count: total, repeating: 0)
        for o in 0..<total { fixedBias.pointer[o] = Int32((group.bias.pointer[o] * scale).rounded(.toNearestOrEven)) }
        biasFixed = fixedBias
    }

    /// Writes the bias term into `n` samples' pre-activation rows.
    func fillBias(samples n: Int, into destination: UnsafeMutablePointer<Int32>) {
        for row in 0..<(n * pixels) {
            (destination + row * total).update(from: biasFixed.pointer, count: total)
        }
    }

    /// Adds (`sign` = 1) or subtracts (−1) `T(channel, ·)` for `n` samples whose x̂ of this
    /// channel is at `x` (`[n, H·W]`, consecutive samples `inputPixels` apart).
    func accumulate(channel: Int, x: UnsafePointer<Float>, samples n: Int, sign: Int32, into destination: UnsafeMutablePointer<Int32>) {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 32)
        defer { scratch.deallocate() }
        for s in 0..<n {
            term(channel: channel, x: x + s * inputPixels, sign: sign, scratch: scratch, into: destination + s * elementsPerSample)
        }
    }

    /// `T(channel, ·)` of one constant map of `value` (a dropped channel): the same for every
    /// sample, so computed once per (channel, value) and added row by row.
    func constantTerm(channel: Int, value: Float) -> FixedBuffer<Int32> {
        let map = [Float](repeating: value, count: inputPixels)
        let result = FixedBuffer<Int32>(count: elementsPerSample, repeating: 0)
        map.withUnsafeBufferPointer { accumulate(channel: channel, x: $0.baseAddress!, samples: 1, sign: 1, into: result.pointer) }
        return result
    }

    /// Adds `sign · term` (one sample's `[pixels, total]`) to each of `n` samples.
    func accumulate(constant term: FixedBuffer<Int32>, samples n: Int, sign: Int32, into destination: UnsafeMutablePointer<Int32>) {
        let size = elementsPerSample, t = term.pointer
        for s in 0..<n {
            let d = destination + s * size
            if sign > 0 {
                for e in 0..<size { d[e] = d[e] &+ t[e] }
            } else {
                for e in 0..<size { d[e] = d[e] &- t[e] }
            }
        }
    }

    /// One sample's `sign · T(channel, x)`. The float32 sum runs over the taps in a fixed order
    /// and each output is computed the same way wherever it sits, so `T` depends only on the
    /// channel and its x̂ values: a requirement of path independence.
    ///
    /// Outputs go in blocks of 32 (four independent vector sums, so the adds do not wait on each
    /// other), then blocks of 8, then one at a time; the rounding to integers is a plain loop over
    /// a 32-float scratch, which compiles to round + convert (the generic SIMD float → integer
    /// initialiser is not specialised and costs ~100× more).
    @inline(__always)
    private func term(channel: Int, x: UnsafePointer<Float>, sign: Int32, scratch: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Int32>) {
        let total = self.total, w = channelWeights.pointer + channel * taps * total
        let start = tapStart.pointer, index = tapIndex.pointer, input = tapInput.pointer
        let scale = self.scale, vectorScale = SIMD8<Float>(repeating: scale)
        let total32 = total & ~31, total8 = total & ~7
        let stash = UnsafeMutableRawPointer(scratch)
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        @inline(__always) func add(_ row: UnsafeMutablePointer<Int32>, _ count: Int) {
            if sign > 0 {
                for i in 0..<count { row[i] = row[i] &+ Int32(scratch[i].rounded(.toNearestOrEven)) }
            } else {
                for i in 0..<count { row[i] = row[i] &- Int32(scratch[i].rounded(.toNearestOrEven)) }
            }
        }
        for p in 0..<pixels {
            let a = start[p], b = start[p + 1], row = out + p * total
            var o = 0
            while o < total32 {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                for t in a..<b {
                    let wp = w + index[t] * total + o, v = SIMD8<Float>(repeating: x[input[t]])
                    a0 += load(wp) * v
                    a1 += load(wp + 8) * v
                    a2 += load(wp + 16) * v
                    a3 += load(wp + 24) * v
                }
                stash.storeBytes(of: a0 * vectorScale, toByteOffset: 0, as: SIMD8<Float>.self)
                stash.storeBytes(of: a1 * vectorScale, toByteOffset: 32, as: SIMD8<Float>.self)
                stash.storeBytes(of: a2 * vectorScale, toByteOffset: 64, as: SIMD8<Float>.self)
                stash.storeBytes(of: a3 * vectorScale, toByteOffset: 96, as: SIMD8<Float>.self)
                add(row + o, 32)
                o += 32
            }
            while o < total8 {
                var a0 = SIMD8<Float>()
                for t in a..<b { a0 += load(w + index[t] * total + o) * SIMD8<Float>(repeating: x[input[t]]) }
                stash.storeBytes(of: a0 * vectorScale, toByteOffset: 0, as: SIMD8<Float>.self)
                add(row + o, 8)
                o += 8
            }
            while o < total {
                var acc: Float = 0
                for t in a..<b { acc += w[index[t] * total + o] * x[input[t]] }
                scratch[0] = acc * scale
                add(row + o, 1)
                o += 1
            }
        }
    }

    /// Member `member`'s channels of `n` samples' pre-activation, as float32 NHWC rows, with ReLU
    /// on the way when `relu` (what `SharedFirstConv.extract` does for the float path).
    func extract(member: Int, from fixed: UnsafePointer<Int32>, samples n: Int, relu: Bool, into output: UnsafeMutablePointer<Float>) {
        let offset = group.channelOffsets[member], count = group.channelCounts[member], total = self.total
        let inverse = inverseScale
        for row in 0..<(n * pixels) {
            let src = fixed + row * total + offset, dst = output + row * count
            if relu {
                for k in 0..<count { dst[k] = Swift.max(Float(src[k]) * inverse, 0) }
            } else {
                for k in 0..<count { dst[k] = Float(src[k]) * inverse }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
