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
    /// `[C, taps, total]`: channel `c`'s slice of the fused weight times `2^k`, contiguous.
    let scaledWeights: FixedBuffer<Float>
    /// Output pixel `p` reads taps `tapStart[p] ..< tapStart[p + 1]` of `tapIndex` / `tapInput`
    /// (only taps inside the input: zero padding contributes nothing).
    let tapStart: FixedBuffer<Int>
    let tapWeightOffset: FixedBuffer<Int>
    let tapInput: FixedBuffer<Int>
    /// Output pixel `p`'s taps as runs of consecutive inputs, one per kernel row inside the
    /// input (`segmentStarts[p] ..< segmentStarts[p + 1]`): a run of `width` taps reading inputs
    /// from `segmentInputs[r]` on, tap bits from `segmentShifts[r]` on in the pixel's tap mask.
    let segmentStarts: FixedBuffer<Int>
    let segmentInputs: FixedBuffer<Int>
    let segmentWidths: FixedBuffer<UInt64>
    let segmentShifts: FixedBuffer<UInt64>
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

        var start = [0], index: [Int] = [], input: [Int] = []
        var segmentStart = [0], segments: [(input: Int, width: Int, shift: Int)] = []
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                for i in 0..<g.kernelHeight {
                    let iy = oy * g.stride - g.padding + i
                    guard iy >= 0, iy < g.inputHeight else { continue }
                    var segment: (input: Int, width: Int, shift: Int)?
                    for j in 0..<g.kernelWidth {
                        let ix = ox * g.stride - g.padding + j
                        guard ix >= 0, ix < g.inputWidth else { continue }
                        if segment == nil { segment = (iy * g.inputWidth + ix, 0, index.count - start.last!) }
                        segment!.width += 1
                        index.append(i * g.kernelWidth + j)
                        input.append(iy * g.inputWidth + ix)
                    }
                    if let segment { segments.append(segment) }
                }
                start.append(index.count)
                segmentStart.append(segments.count)
            }
        }
        tapStart = FixedBuffer(copying: start)
        tapWeightOffset = FixedBuffer(copying: index.map { $0 * total })
        tapInput = FixedBuffer(copying: input)
        segmentStarts = FixedBuffer(copying: segmentStart)
        segmentInputs = FixedBuffer(copying: segments.map(\.input))
        segmentWidths = FixedBuffer(copying: segments.map { UInt64($0.width) })
        segmentShifts = FixedBuffer(copying: segments.map { UInt64($0.shift) })

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
        // Taps per output pixel are a 64-bit mask in `term`.
        guard k >= 12, bound.isFinite, taps <= 64 else { return nil }
        exponent = k
        scale = Float(sign: .plus, exponent: k, significand: 1)
        inverseScale = Float(sign: .plus, exponent: -k, significand: 1)
        let fixedBias = FixedBuffer<Int32>(count: total, repeating: 0)
        for o in 0..<total { fixedBias.pointer[o] = Int32((group.bias.pointer[o] * scale).rounded(.toNearestOrEven)) }
        biasFixed = fixedBias
        for e in 0..<(c * taps * total) { weights.pointer[e] *= scale }
        scaledWeights = weights
    }

    /// The bias term of one sample (`round(2^k · bias)` at every output pixel).
    private(set) lazy var biasMap: FixedBuffer<Int32> = {
        let map = FixedBuffer<Int32>(count: elementsPerSample, repeating: 0)
        for p in 0..<pixels { (map.pointer + p * total).update(from: biasFixed.pointer, count: total) }
        return map
    }()

    /// Adds (`sign` = 1) or subtracts (−1) `T(channel, ·)` for `n` samples whose x̂ of this
    /// channel is at `x` (`[n, H·W]`, consecutive samples `inputPixels` apart).
    func accumulate(channel: Int, x: UnsafePointer<Float>, samples n: Int, sign: Int32, into destination: UnsafeMutablePointer<Int32>) {
        terms(channel: channel, x: x, samples: n, pixels: 0..<pixels, sign: sign, store: false, into: destination, sampleStride: elementsPerSample)
    }

    /// Adds `sign · T(channel, ·)` to output pixels `range` of `n` samples whose rows for those
    /// pixels start at `destination`, consecutive samples `sampleStride` integers apart.
    func accumulate(channel: Int, x: UnsafePointer<Float>, samples n: Int, pixels range: Range<Int>, sign: Int32,
                    into destination: UnsafeMutablePointer<Int32>, sampleStride: Int) {
        terms(channel: channel, x: x, samples: n, pixels: range, sign: sign, store: false, into: destination, sampleStride: sampleStride)
    }

    /// Writes `T(channel, ·)` of output pixels `range` for `n` samples: `[n, range.count, total]`.
    func store(channel: Int, x: UnsafePointer<Float>, samples n: Int, pixels range: Range<Int>, into destination: UnsafeMutablePointer<Int32>) {
        terms(channel: channel, x: x, samples: n, pixels: range, sign: 1, store: true, into: destination, sampleStride: range.count * total)
    }

    private func terms(channel: Int, x: UnsafePointer<Float>, samples n: Int, pixels range: Range<Int>, sign: Int32, store: Bool,
                       into destination: UnsafeMutablePointer<Int32>, sampleStride rows: Int) {
        // Scratch: one block of outputs; the non-zero inputs as bits (one spare word, read past
        // the last when a run starts near its end).
        let words = inputPixels / 64 + 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(total, 64)) { scratch in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { nonZero in
                for s in 0..<n {
                    term(channel: channel, x: x + s * inputPixels, pixels: range, sign: sign, store: store, scratch: scratch.baseAddress!,
                         nonZero: nonZero.baseAddress!, words: words, into: destination + s * rows)
                }
            }
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
        for s in 0..<n {
            Kernels.add(UnsafePointer(term.pointer), sign: sign, count: elementsPerSample, into: destination + s * elementsPerSample)
        }
    }

    /// One sample's `sign · T(channel, x)`. The float32 sum runs over the taps in a fixed order
    /// and each output is computed the same way wherever it sits, so `T` depends only on the
    /// channel and its x̂ values: a requirement of path independence.
    ///
    /// * Taps reading an x̂ of exactly 0 are skipped: they would add ±0, which changes no sum, so
    ///   the result is the same bit for bit. Post-ReLU features quantised to few bits are mostly
    ///   0 (89 % at 1 bit on digits-pair, 18 % at 8), and an output pixel with no tap left is 0.
    ///   The taps left are a bit mask per output pixel, walked lowest bit first (tap order):
    ///   copying them into a list made every tap wait on the previous one's count.
    /// * The weights are stored multiplied by `2^k`: scaling by a power of two is exact, so the
    ///   sum equals `2^k ·` the unscaled sum and one multiplication per output is saved.
    /// * Outputs go in blocks of 64 (eight independent vector sums sharing one broadcast of x̂),
    ///   then 8, then one at a time; the rounding to integers is a plain loop over a
    ///   float scratch, which compiles to a vector convert (the generic SIMD float → integer
    ///   initialiser is not specialised and costs ~100× more). With `store`, rows are written,
    ///   not added to.
    @inline(__always)
    private func term(channel: Int, x: UnsafePointer<Float>, pixels range: Range<Int>, sign: Int32, store overwrite: Bool,
                      scratch: UnsafeMutablePointer<Float>, nonZero: UnsafeMutablePointer<UInt64>, words: Int,
                      into out: UnsafeMutablePointer<Int32>) {
        let total = self.total, w = scaledWeights.pointer + channel * taps * total
        let start = tapStart.pointer, weightOffset = tapWeightOffset.pointer, input = tapInput.pointer
        let total64 = total & ~63, total8 = total & ~7
        let stash = UnsafeMutableRawPointer(scratch)
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        @inline(__always) func store(_ v: SIMD8<Float>, _ k: Int) { stash.storeBytes(of: v, toByteOffset: 32 * k, as: SIMD8<Float>.self) }
        @inline(__always) func add(_ row: UnsafeMutablePointer<Int32>, _ count: Int) {
            if overwrite {
                for i in 0..<count { row[i] = Int32(scratch[i].rounded(.toNearestOrEven)) }
            } else if sign > 0 {
                for i in 0..<count { row[i] = row[i] &+ Int32(scratch[i].rounded(.toNearestOrEven)) }
            } else {
                for i in 0..<count { row[i] = row[i] &- Int32(scratch[i].rounded(.toNearestOrEven)) }
            }
        }
        // Bit i: input i is non-zero (branch-free: a float compare would compile to a jump).
        nonZero.update(repeating: 0, count: words)
        for i in 0..<inputPixels {
            let magnitude = x[i].bitPattern << 1
            nonZero[i >> 6] |= UInt64((magnitude | (0 &- magnitude)) >> 31) << UInt64(i & 63)
        }
        let segmentStarts = self.segmentStarts.pointer, segmentInputs = self.segmentInputs.pointer
        let segmentWidths = self.segmentWidths.pointer, segmentShifts = self.segmentShifts.pointer
        for p in range {
            // Bit j: tap start[p] + j reads a non-zero x̂. Each kernel row's taps read consecutive
            // inputs: their bits are cut out of `nonZero` in one piece.
            let a = start[p]
            var mask: UInt64 = 0
            for r in segmentStarts[p]..<segmentStarts[p + 1] {
                let first = segmentInputs[r], word = first >> 6, bit = UInt64(first & 63)
                // The run's bits, possibly straddling two words (the high word shifted in two
                // steps, so that `bit` = 0 shifts it out entirely).
                let low = nonZero[word] >> bit
                let high = (nonZero[word + 1] << 1) << (63 - bit)
                let width = segmentWidths[r]
                let run = (low | high) & (width >= 64 ? ~0 : (1 << width) &- 1)
                mask |= run << segmentShifts[r]
            }
            let row = out + (p - range.lowerBound) * total
            if mask == 0 {
                if overwrite { row.update(repeating: 0, count: total) }
                continue
            }
            var o = 0
            while o < total64 {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
                var bits = mask
                while bits != 0 {
                    let t = a + bits.trailingZeroBitCount
                    bits &= bits &- 1
                    let wp = w + weightOffset[t] + o, v = SIMD8<Float>(repeating: x[input[t]])
                    a0 += load(wp) * v
                    a1 += load(wp + 8) * v
                    a2 += load(wp + 16) * v
                    a3 += load(wp + 24) * v
                    a4 += load(wp + 32) * v
                    a5 += load(wp + 40) * v
                    a6 += load(wp + 48) * v
                    a7 += load(wp + 56) * v
                }
                store(a0, 0); store(a1, 1); store(a2, 2); store(a3, 3)
                store(a4, 4); store(a5, 5); store(a6, 6); store(a7, 7)
                add(row + o, 64)
                o += 64
            }
            while o < total8 {
                var a0 = SIMD8<Float>()
                var bits = mask
                while bits != 0 {
                    let t = a + bits.trailingZeroBitCount
                    bits &= bits &- 1
                    a0 += load(w + weightOffset[t] + o) * SIMD8<Float>(repeating: x[input[t]])
                }
                store(a0, 0)
                add(row + o, 8)
                o += 8
            }
            while o < total {
                var acc: Float = 0
                var bits = mask
                while bits != 0 {
                    let t = a + bits.trailingZeroBitCount
                    bits &= bits &- 1
                    acc += w[weightOffset[t] + o] * x[input[t]]
                }
                scratch[0] = acc
                add(row + o, 1)
                o += 1
            }
        }
    }

    /// Member `member`'s channels of `n` samples' pre-activation, as float32 NHWC rows, with ReLU
    /// on the way when `relu` (what `SharedFirstConv.extract` does for the float path).
    func extract(member: Int, from fixed: UnsafePointer<Int32>, samples n: Int, relu: Bool, into output: UnsafeMutablePointer<Float>) {
        extract(member: member, from: fixed, rows: n * pixels, relu: relu, into: output)
    }

    /// The same for `rows` consecutive output pixels (rows of `total` integers), written to
    /// `output` as rows of the member's channel count.
    func extract(member: Int, from fixed: UnsafePointer<Int32>, rows: Int, relu: Bool, into output: UnsafeMutablePointer<Float>) {
        let offset = group.channelOffsets[member], count = group.channelCounts[member], total = self.total
        let inverse = inverseScale
        let count8 = count & ~7
        for row in 0..<rows {
            let src = fixed + row * total + offset, dst = output + row * count
            // Eight at a time (the remainder one by one): the plain loop vectorises only 4-wide.
            var k = 0
            while k < count8 {
                let integers = UnsafeRawPointer(src + k).loadUnaligned(as: SIMD8<Int32>.self)
                var values = SIMD8<Float>(Float(integers[0]), Float(integers[1]), Float(integers[2]), Float(integers[3]),
                                          Float(integers[4]), Float(integers[5]), Float(integers[6]), Float(integers[7])) * inverse
                if relu { values.replace(with: 0, where: values .< 0) }
                UnsafeMutableRawPointer(dst + k).storeBytes(of: values, as: SIMD8<Float>.self)
                k += 8
            }
            while k < count {
                dst[k] = relu ? Swift.max(Float(src[k]) * inverse, 0) : Float(src[k]) * inverse
                k += 1
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
