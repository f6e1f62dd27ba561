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
    /// The dense path reads a zero-padded copy of the input, `paddedWidth` wide: tap `t` of output
    /// pixel `p` reads `paddedBase[p] + paddedTap[t]` (every tap, padding included).
    let paddedWidth: Int
    let paddedCount: Int
    let paddedBase: FixedBuffer<Int>
    let paddedTap: FixedBuffer<Int>
    let inputHeight: Int
    let inputWidth: Int
    let padding: Int
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
        inputHeight = g.inputHeight
        inputWidth = g.inputWidth
        padding = g.padding
        paddedWidth = g.inputWidth + 2 * g.padding
        paddedCount = (g.inputHeight + 2 * g.padding) * paddedWidth
        var bases: [Int] = []
        for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth { bases.append(oy * g.stride * paddedWidth + ox * g.stride) } }
        paddedBase = FixedBuffer(copying: bases)
        var tapOffsets: [Int] = []
        for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth { tapOffsets.append(i * paddedWidth + j) } }
        paddedTap = FixedBuffer(copying: tapOffsets)
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
        terms(channel: channel, x: x, samples: n, pixels: 0..<pixels, sign: sign, store: false, into: destination, pixelStride: total)
    }

    /// Writes `T(channel, ·)` of output pixels `range` for `n` samples: each pixel's `total`
    /// integers `pixelStride` apart, the samples one after the other (`range.count · pixelStride`
    /// apart).
    func store(channel: Int, x: UnsafePointer<Float>, samples n: Int, pixels range: Range<Int>, into destination: UnsafeMutablePointer<Int32>,
               pixelStride: Int) {
        terms(channel: channel, x: x, samples: n, pixels: range, sign: 1, store: true, into: destination, pixelStride: pixelStride)
    }

    private func terms(channel: Int, x: UnsafePointer<Float>, samples n: Int, pixels range: Range<Int>, sign: Int32, store: Bool,
                       into destination: UnsafeMutablePointer<Int32>, pixelStride: Int) {
        // Scratch: one block of outputs (the dense path: 64 floats, then their 64 integers); the
        // non-zero inputs as bits (one spare word, read past the last when a run starts near its
        // end); the zero-padded input of the dense path.
        let words = inputPixels / 64 + 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(total, 128)) { scratch in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { nonZero in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: paddedCount) { padded in
                    padded.initialize(repeating: 0)
                    for s in 0..<n {
                        let input = x + s * inputPixels, rows = destination + s * range.count * pixelStride
                        // Both paths give the same bits; skipping taps pays only when most inputs are 0.
                        var nonZeroInputs: UInt32 = 0
                        for i in 0..<inputPixels { nonZeroInputs &+= Self.nonZeroBit(input[i]) }
                        if 100 * Int(nonZeroInputs) >= Self.densePercent * inputPixels {
                            denseTerm(channel: channel, x: input, pixels: range, sign: sign, store: store, scratch: scratch.baseAddress!,
                                      padded: padded.baseAddress!, into: rows, pixelStride: pixelStride)
                        } else {
                            term(channel: channel, x: input, pixels: range, sign: sign, store: store, scratch: scratch.baseAddress!,
                                 nonZero: nonZero.baseAddress!, words: words, into: rows, pixelStride: pixelStride)
                        }
                    }
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
                      into out: UnsafeMutablePointer<Int32>, pixelStride: Int) {
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
        // Bit i: input i is non-zero.
        nonZero.update(repeating: 0, count: words)
        for i in 0..<inputPixels { nonZero[i >> 6] |= UInt64(Self.nonZeroBit(x[i])) << UInt64(i & 63) }
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
            let row = out + (p - range.lowerBound) * pixelStride
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

    /// 1 unless `x` is ±0, branch-free (a float compare would compile to a jump).
    @inline(__always)
    private static func nonZeroBit(_ x: Float) -> UInt32 {
        let magnitude = x.bitPattern << 1
        return (magnitude | (0 &- magnitude)) >> 31
    }

    /// Samples whose x̂ has at least this percentage of non-zero inputs take the dense path
    /// (digits-pair: 2.9 ms per stream allocation at 30–50 %, 3.1 ms all sparse, 3.0 ms all dense).
    static let densePercent = 40

    /// One sample's `sign · T(channel, x)` over every tap, zeros and padding included: the same
    /// sums in the same tap order as `term`, whose skipped taps would only add ±0. Four output
    /// pixels times 16 outputs at a time (eight vector sums; each weight load serves four
    /// pixels), with no branch on the data.
    @inline(__always)
    private func denseTerm(channel: Int, x: UnsafePointer<Float>, pixels range: Range<Int>, sign: Int32, store overwrite: Bool,
                           scratch: UnsafeMutablePointer<Float>, padded: UnsafeMutablePointer<Float>,
                           into out: UnsafeMutablePointer<Int32>, pixelStride: Int) {
        let total = self.total, taps = self.taps, w = scaledWeights.pointer + channel * taps * total
        let base = paddedBase.pointer, tap = paddedTap.pointer
        for y in 0..<inputHeight {
            (padded + (y + padding) * paddedWidth + padding).update(from: x + y * inputWidth, count: inputWidth)
        }
        let stash = UnsafeMutableRawPointer(scratch)
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        @inline(__always) func store(_ v: SIMD8<Float>, _ k: Int) { stash.storeBytes(of: v, toByteOffset: 32 * k, as: SIMD8<Float>.self) }
        // The scratch's 64 floats rounded at once (a fixed count compiles to vector converts),
        // then `count` of them (from `first`, a multiple of 8) written or added to a row.
        let integers = UnsafeMutablePointer<Int32>(OpaquePointer(scratch + 64))
        @inline(__always) func round() {
            for i in 0..<64 { integers[i] = Int32(scratch[i].rounded(.toNearestOrEven)) }
        }
        @inline(__always) func add(_ row: UnsafeMutablePointer<Int32>, _ first: Int, _ count: Int) {
            var i = 0
            while i < count {
                let v = UnsafeRawPointer(integers + first + i).loadUnaligned(as: SIMD8<Int32>.self)
                let target = UnsafeMutableRawPointer(row + i)
                if overwrite {
                    target.storeBytes(of: v, as: SIMD8<Int32>.self)
                } else {
                    let old = target.loadUnaligned(as: SIMD8<Int32>.self)
                    target.storeBytes(of: sign > 0 ? old &+ v : old &- v, as: SIMD8<Int32>.self)
                }
                i += 8
            }
        }
        var p = range.lowerBound
        while p < range.upperBound {
            // The last block may be short: its missing pixels repeat its last one, unstored.
            let count = Swift.min(4, range.upperBound - p)
            let b0 = base[p], b1 = base[p + Swift.min(1, count - 1)], b2 = base[p + Swift.min(2, count - 1)], b3 = base[p + Swift.min(3, count - 1)]
            let row = out + (p - range.lowerBound) * pixelStride
            var o = 0
            while o + 16 <= total {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
                for t in 0..<taps {
                    let wp = w + t * total + o, offset = tap[t]
                    let w0 = load(wp), w1 = load(wp + 8)
                    let v0 = SIMD8<Float>(repeating: padded[b0 + offset]), v1 = SIMD8<Float>(repeating: padded[b1 + offset])
                    let v2 = SIMD8<Float>(repeating: padded[b2 + offset]), v3 = SIMD8<Float>(repeating: padded[b3 + offset])
                    a0 += w0 * v0; a1 += w1 * v0
                    a2 += w0 * v1; a3 += w1 * v1
                    a4 += w0 * v2; a5 += w1 * v2
                    a6 += w0 * v3; a7 += w1 * v3
                }
                store(a0, 0); store(a1, 1); store(a2, 2); store(a3, 3)
                store(a4, 4); store(a5, 5); store(a6, 6); store(a7, 7)
                round()
                for k in 0..<count { add(row + k * pixelStride + o, 16 * k, 16) }
                o += 16
            }
            while o + 8 <= total {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                for t in 0..<taps {
                    let w0 = load(w + t * total + o), offset = tap[t]
                    a0 += w0 * SIMD8<Float>(repeating: padded[b0 + offset])
                    a1 += w0 * SIMD8<Float>(repeating: padded[b1 + offset])
                    a2 += w0 * SIMD8<Float>(repeating: padded[b2 + offset])
                    a3 += w0 * SIMD8<Float>(repeating: padded[b3 + offset])
                }
                store(a0, 0); store(a1, 1); store(a2, 2); store(a3, 3)
                round()
                for k in 0..<count { add(row + k * pixelStride + o, 8 * k, 8) }
                o += 8
            }
            while o < total {
                for k in 0..<count {
                    var acc: Float = 0
                    for t in 0..<taps { acc += w[t * total + o] * padded[base[p + k] + tap[t]] }
                    let value = Int32(acc.rounded(.toNearestOrEven)), target = row + k * pixelStride + o
                    target.pointee = overwrite ? value : sign > 0 ? target.pointee &+ value : target.pointee &- value
                }
                o += 1
            }
            p += count
        }
    }

    /// Member `member`'s channels of `n` samples' pre-activation, as float32 NHWC rows, with ReLU
    /// on the way when `relu` (what `SharedFirstConv.extract` does for the float path).
    func extract(member: Int, from fixed: UnsafePointer<Int32>, samples n: Int, relu: Bool, into output: UnsafeMutablePointer<Float>) {
        extract(member: member, from: fixed, rows: n * pixels, relu: relu, into: output)
    }

    /// The same for `rows` consecutive output pixels (rows of `total` integers), written to
    /// `output` as rows of the member's channel count.
    @inline(__always)
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
