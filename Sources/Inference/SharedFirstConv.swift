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
