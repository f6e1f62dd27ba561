import CBLAS

/// Heads whose first layer is a conv2d of the same geometry (input, kernel, stride, padding)
/// share one im2col of the quantised features and one sgemm with their weights side by side.
///
/// `preActivation` is public-facing on purpose: the first conv is linear in each input channel,
/// so incremental scoring (change a few channels' bits, update `W_c ∗ Δx̂_c`) can start from it.
final class SharedFirstConv: @unchecked Sendable {
    let geometry: ConvGeometry
    /// Task indices in this group and where each one's channels sit in the fused output.
    let tasks: [Int]
    let channelOffsets: [Int]
    let channelCounts: [Int]
    let totalChannels: Int
    let weight: FixedBuffer<Float>
    let bias: FixedBuffer<Float>

    init(geometry: ConvGeometry, members: [(task: Int, weight: FixedBuffer<Float>, bias: FixedBuffer<Float>, outputs: Int)]) {
        self.geometry = geometry
        tasks = members.map(\.task)
        channelCounts = members.map(\.outputs)
        var offsets: [Int] = []
        var total = 0
        for m in members { offsets.append(total); total += m.outputs }
        channelOffsets = offsets
        totalChannels = total
        let patch = geometry.patchSize
        let fused = FixedBuffer<Float>(count: patch * total, repeating: 0)
        let fusedBias = FixedBuffer<Float>(count: total, repeating: 0)
        for (m, offset) in zip(members, offsets) {
            for row in 0..<patch {
                (fused.pointer + row * total + offset).update(from: m.weight.pointer + row * m.outputs, count: m.outputs)
            }
            (fusedBias.pointer + offset).update(from: m.bias.pointer, count: m.outputs)
        }
        weight = fused
        bias = fusedBias
    }

    /// The first conv for one quantisation plan: channels that are constant maps (dropped at
    /// b = 0, or hi == lo) do not depend on the sample, so their contribution is folded into a
    /// per-pixel bias once and they leave the sgemm (`K` shrinks by `kh·kw` per such channel).
    final class InputPlan: @unchecked Sendable {
        let allLive: Bool
        let live: FixedBuffer<Int>
        let liveCount: Int
        /// `[kh·kw·liveCount, totalChannels]`, rows `(i, j, live channel)`.
        let weight: FixedBuffer<Float>
        /// `[Ho·Wo, totalChannels]`: bias plus the constant channels' contribution at each pixel
        /// (pixels near the border see fewer taps because of the zero padding).
        let pixelBias: FixedBuffer<Float>

        init(_ conv: SharedFirstConv, constants: [Float?]) {
            let g = conv.geometry, c = g.inputChannels, total = conv.totalChannels
            let liveChannels = (0..<c).filter { constants[$0] == nil }
            allLive = liveChannels.count == c
            live = FixedBuffer(copying: liveChannels)
            liveCount = liveChannels.count
            let taps = g.kernelHeight * g.kernelWidth
            let packed = FixedBuffer<Float>(count: taps * liveChannels.count * total, repeating: 0)
            for tap in 0..<taps {
                for (k, channel) in liveChannels.enumerated() {
                    (packed.pointer + (tap * liveChannels.count + k) * total).update(from: conv.weight.pointer + (tap * c + channel) * total, count: total)
                }
            }
            weight = packed
            let pixels = g.outputHeight * g.outputWidth
            let biasRows = FixedBuffer<Float>(count: pixels * total, repeating: 0)
            var sums = [Double](repeating: 0, count: total)
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for o in 0..<total { sums[o] = Double(conv.bias.pointer[o]) }
                    for i in 0..<g.kernelHeight {
                        let iy = oy * g.stride - g.padding + i
                        guard iy >= 0, iy < g.inputHeight else { continue }
                        for j in 0..<g.kernelWidth {
                            let ix = ox * g.stride - g.padding + j
                            guard ix >= 0, ix < g.inputWidth else { continue }
                            for channel in 0..<c {
                                guard let value = constants[channel], value != 0 else { continue }
                                let row = conv.weight.pointer + ((i * g.kernelWidth + j) * c + channel) * total
                                for o in 0..<total { sums[o] += Double(value) * Double(row[o]) }
                            }
                        }
                    }
                    let out = biasRows.pointer + (oy * g.outputWidth + ox) * total
                    for o in 0..<total { out[o] = Float(sums[o]) }
                }
            }
            pixelBias = biasRows
        }
    }

    /// The first conv's pre-activation using `plan` (see `InputPlan`); equal to
    /// `preActivation(input:…)` up to float rounding.
    func preActivation(input: UnsafeMutablePointer<Float>, samples n: Int, plan: InputPlan, compact: UnsafeMutablePointer<Float>, patches: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        if plan.allLive {
            preActivation(input: input, samples: n, patches: patches, into: output)
            return
        }
        let g = geometry, total = totalChannels, pixels = self.pixels
        let rows = n * pixels
        for row in 0..<rows {
            let source = plan.pixelBias.pointer + (row % pixels) * total, destination = output + row * total
            for o in 0..<total { destination[o] = source[o] }
        }
        let liveCount = plan.liveCount
        guard liveCount > 0 else { return }
        // Gather the live channels into a compact NHWC map once, then the usual im2col on it.
        let c = g.inputChannels, live = plan.live.pointer
        for pixel in 0..<(n * g.inputHeight * g.inputWidth) {
            let src = input + pixel * c, dst = compact + pixel * liveCount
            for k in 0..<liveCount { dst[k] = src[live[k]] }
        }
        var liveGeometry = g
        liveGeometry.inputChannels = liveCount
        Kernels.im2col(compact, samples: n, liveGeometry, into: patches)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(total), Int32(liveGeometry.patchSize),
                    1, patches, Int32(liveGeometry.patchSize), plan.weight.pointer, Int32(total), 1, output, Int32(total))
    }

    /// Rows of the fused output per sample (`Ho·Wo`).
    var pixels: Int { geometry.outputHeight * geometry.outputWidth }

    /// The first conv's pre-activation (before any nonlinearity) of every head in the group:
    /// `[n·Ho·Wo, totalChannels]`, NHWC rows, from the NHWC input of `n` samples.
    func preActivation(input: UnsafeMutablePointer<Float>, samples n: Int, patches: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        let rows = n * pixels
        if geometry.isPointwise {
            Kernels.matmulAddBias(input, weight.pointer, bias.pointer, into: output, m: rows, k: geometry.inputChannels, n: totalChannels)
        } else {
            Kernels.im2col(input, samples: n, geometry, into: patches)
            Kernels.matmulAddBias(patches, weight.pointer, bias.pointer, into: output, m: rows, k: geometry.patchSize, n: totalChannels)
        }
    }

    /// Copies member `member`'s channels out of the fused output into a contiguous NHWC buffer,
    /// applying ReLU on the way when `relu` (the usual next layer: one pass instead of two).
    func extract(member: Int, from fused: UnsafePointer<Float>, samples n: Int, relu: Bool, into output: UnsafeMutablePointer<Float>) {
        let offset = channelOffsets[member], count = channelCounts[member], total = totalChannels
        for row in 0..<(n * pixels) {
            let src = fused + row * total + offset, dst = output + row * count
            if relu {
                for k in 0..<count { dst[k] = Swift.max(src[k], 0) }
            } else {
                for k in 0..<count { dst[k] = src[k] }
            }
        }
    }
}
