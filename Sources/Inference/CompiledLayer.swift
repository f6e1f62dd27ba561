import FeatureData

/// A head layer prepared for batched channels-last (NHWC) execution.
///
/// Activations of a chunk of `n` samples are stored `[n, H, W, C]` for spatial shapes and
/// `[n, D]` for vectors. Weights are re-laid out once so every product is one row-major sgemm:
/// conv2d as im2col `[n·Ho·Wo, kh·kw·C] × [kh·kw·C, O]`, dense as `[n, in] × [in, out]`.
enum CompiledLayer: @unchecked Sendable {
    case conv(ConvGeometry, weight: FixedBuffer<Float>, bias: FixedBuffer<Float>)
    /// A conv with few output channels, computed directly; weight `[O, kh·kw·C]`.
    case directConv(ConvGeometry, weight: FixedBuffer<Float>, bias: FixedBuffer<Float>)
    case dense(inputs: Int, outputs: Int, weight: FixedBuffer<Float>, bias: FixedBuffer<Float>)
    /// Nearest upsampling followed by a small stride-1 conv, as one layer (see `UpsampleConv`).
    case upsampleConv(UpsampleConv)
    /// The second half of a fused pair: nothing to do.
    case skip
    case relu
    case sigmoid
    case pool(PoolGeometry, isMax: Bool)
    case upsample(height: Int, width: Int, channels: Int, factor: Int)
    /// C-order flatten of `[C, H, W]`: a real permutation NHWC → CHW, unless it was folded into
    /// the dense layer that follows (then nothing moves).
    case flatten(height: Int, width: Int, channels: Int, folded: Bool)

    /// Compiles `spec`, whose input is the logical per-sample shape `input` (`[C, H, W]` or `[D]`).
    /// `foldFlattenBefore` is set when the previous layer was a flatten of `[C, H, W]` folded into
    /// this dense layer's weight.
    static func compile(_ spec: LayerSpec, input: [Int], foldedFlattenOf flattened: [Int]?, allowDirect: Bool = false) -> CompiledLayer {
        switch spec {
        case let .conv2d(weight, bias, stride, padding) where allowDirect && weight.shape[0] <= directConvolutionMaximumOutputs:
            let o = weight.shape[0], c = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3]
            let geometry = ConvGeometry(inputHeight: input[1], inputWidth: input[2], inputChannels: c, outputChannels: o,
                                        kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding)
            var matrix = [Float](repeating: 0, count: kh * kw * c * o)
            for oc in 0..<o { for ic in 0..<c { for i in 0..<kh { for j in 0..<kw {
                matrix[oc * kh * kw * c + (i * kw + j) * c + ic] = weight.values[((oc * c + ic) * kh + i) * kw + j]
            } } } }
            return .directConv(geometry, weight: FixedBuffer(copying: matrix), bias: FixedBuffer(copying: bias))
        case let .conv2d(weight, bias, stride, padding):
            let o = weight.shape[0], c = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3]
            let geometry = ConvGeometry(inputHeight: input[1], inputWidth: input[2], inputChannels: c, outputChannels: o,
                                        kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding)
            // [O, C, kh, kw] → rows (i, j, c), columns o: matches the im2col column order.
            var matrix = [Float](repeating: 0, count: kh * kw * c * o)
            for oc in 0..<o { for ic in 0..<c { for i in 0..<kh { for j in 0..<kw {
                matrix[((i * kw + j) * c + ic) * o + oc] = weight.values[((oc * c + ic) * kh + i) * kw + j]
            } } } }
            return .conv(geometry, weight: FixedBuffer(copying: matrix), bias: FixedBuffer(copying: bias))
        case let .dense(weight, bias):
            let outputs = weight.shape[0], inputs = weight.shape[1]
            var matrix = [Float](repeating: 0, count: inputs * outputs)
            for o in 0..<outputs {
                for k in 0..<inputs {
                    // Our input index k is channels-last when a flatten was folded in; the
                    // weight's is C-order [C, H, W].
                    let source: Int
                    if let f = flattened {
                        let c = f[0], pixels = f[1] * f[2]
                        source = (k % c) * pixels + k / c
                    } else {
                        source = k
                    }
                    matrix[k * outputs + o] = weight.values[o * inputs + source]
                }
            }
            return .dense(inputs: inputs, outputs: outputs, weight: FixedBuffer(copying: matrix), bias: FixedBuffer(copying: bias))
        case .relu: return .relu
        case .sigmoid: return .sigmoid
        case let .maxpool2d(size, stride), let .avgpool2d(size, stride):
            let geometry = PoolGeometry(inputHeight: input[1], inputWidth: input[2], channels: input[0], size: size, stride: stride)
            if case .maxpool2d = spec { return .pool(geometry, isMax: true) }
            return .pool(geometry, isMax: false)
        case let .upsample2d(factor):
            return .upsample(height: input[1], width: input[2], channels: input[0], factor: factor)
        case .flatten:
            if input.count == 3 {
                return .flatten(height: input[1], width: input[2], channels: input[0], folded: false)
            }
            return .flatten(height: 1, width: 1, channels: input.reduce(1, *), folded: true)
        }
    }
}

/// Convs with at most this many output channels run directly instead of im2col + sgemm.
let directConvolutionMaximumOutputs = 4

struct ConvGeometry: Equatable, Sendable {
    var inputHeight, inputWidth, inputChannels, outputChannels: Int
    var kernelHeight, kernelWidth, stride, padding: Int
    var outputHeight: Int { (inputHeight + 2 * padding - kernelHeight) / stride + 1 }
    var outputWidth: Int { (inputWidth + 2 * padding - kernelWidth) / stride + 1 }
    /// Columns of the im2col matrix: `kh·kw·C`.
    var patchSize: Int { kernelHeight * kernelWidth * inputChannels }
    /// A 1×1, stride-1, unpadded conv needs no im2col: the NHWC input already is the matrix.
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }

    /// Same im2col (input geometry and kernel), whatever the output channels.
    func sharesPatches(with other: ConvGeometry) -> Bool {
        var a = self, b = other
        a.outputChannels = 0
        b.outputChannels = 0
        return a == b
    }
}

struct PoolGeometry: Sendable {
    var inputHeight, inputWidth, channels, size, stride: Int
    var outputHeight: Int { (inputHeight - size) / stride + 1 }
    var outputWidth: Int { (inputWidth - size) / stride + 1 }
}

/// `upsample2d(f)` then a stride-1 `conv2d` with few outputs, computed on the small map.
///
/// The upsampled map repeats each source pixel f×f times, so an output pixel at `Y = f·qy + ry`
/// sees, through kernel row `i`, source row `qy + ⌊(ry − p + i)/f⌋`: for each output phase
/// `(ry, rx)` the kh·kw taps land on only a few distinct source pixels, whose weights are summed
/// once here (for 3×3 and f = 2: 4 taps instead of 9, and no upsampled map is written).
/// A tap is inside the zero padding exactly when its source pixel is outside the small map.
struct UpsampleConv: @unchecked Sendable {
    let height, width, channels, factor, outputs, outputHeight, outputWidth: Int
    /// Per phase `ry·f + rx`: the source offsets (dy, dx) its taps land on.
    let offsets: [[(dy: Int, dx: Int)]]
    /// The summed weights `[O, C]` per phase and source offset, every value repeated 8 times: a
    /// vector operand loaded as is, where a broadcast would cost one more instruction per multiply.
    let splatWeights: [FixedBuffer<Float>]
    let bias: FixedBuffer<Float>

    /// `weight` is `[O, C, kh, kw]`; the conv's input is the upsampled `[C, H·f, W·f]`.
    init(height: Int, width: Int, channels: Int, factor: Int, weight: Tensor<Float>, bias: [Float], padding: Int) {
        self.height = height
        self.width = width
        self.channels = channels
        self.factor = factor
        let o = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3]
        outputs = o
        outputHeight = height * factor + 2 * padding - kh + 1
        outputWidth = width * factor + 2 * padding - kw + 1
        func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        var offsets: [[(dy: Int, dx: Int)]] = []
        var weights: [[Float]] = []
        for ry in 0..<factor {
            for rx in 0..<factor {
                var list: [(dy: Int, dx: Int)] = []
                var sums: [[Double]] = []
                for i in 0..<kh {
                    for j in 0..<kw {
                        let dy = floorDiv(ry - padding + i, factor), dx = floorDiv(rx - padding + j, factor)
                        var e = list.firstIndex { $0.dy == dy && $0.dx == dx }
                        if e == nil {
                            list.append((dy, dx))
                            sums.append([Double](repeating: 0, count: o * channels))
                            e = list.count - 1
                        }
                        for oc in 0..<o {
                            for c in 0..<channels {
                                sums[e!][oc * channels + c] += Double(weight.values[((oc * channels + c) * kh + i) * kw + j])
                            }
                        }
                    }
                }
                offsets.append(list)
                weights.append(sums.flatMap { $0.map { Float($0) } })
            }
        }
        self.offsets = offsets
        splatWeights = weights.map { w in FixedBuffer(copying: w.flatMap { [Float](repeating: $0, count: 8) }) }
        self.bias = FixedBuffer(copying: bias)
    }

    /// Runs on `samples` NHWC images. Vector lanes go over 8 source columns at once: the outputs
    /// of one phase `(ry, rx)` on one row are `x = q·f + rx` for consecutive `q`, and they read
    /// consecutive source columns `q + dx`. Each image is first copied channel-major into a
    /// zero-padded buffer, so a shifted row is one unaligned load and borders need no tests.
    /// Four images go side by side: each output's sum is one chain of dependent adds (the order
    /// is fixed, for exact results), and four independent chains keep the adder busy; they also
    /// share each weight load.
    func run(_ input: UnsafePointer<Float>, samples: Int, into output: UnsafeMutablePointer<Float>) {
        let c = channels, f = factor, o = outputs, h = height, w = width
        var reach = 0
        for list in offsets { for offset in list { reach = Swift.max(reach, abs(offset.dx)) } }
        let columns = (outputWidth + f - 1) / f              // q per phase, at most
        let blocks = (columns + 7) / 8
        let rowWidth = reach + 8 * blocks + reach
        let imageSize = c * h * rowWidth, lanes = 4
        withUnsafeTemporaryAllocation(of: Float.self, capacity: lanes * imageSize) { buffer in
            let padded = buffer.baseAddress!
            padded.initialize(repeating: 0, count: lanes * imageSize)
            var first = 0
            while first < samples {
                // The last group may be short: its missing lanes repeat its last image, unstored.
                let count = Swift.min(lanes, samples - first)
                for lane in 0..<count {
                    let image = input + (first + lane) * h * w * c, copy = padded + lane * imageSize
                    for y in 0..<h {
                        for x in 0..<w {
                            let pixel = image + (y * w + x) * c
                            for ch in 0..<c { copy[(ch * h + y) * rowWidth + reach + x] = pixel[ch] }
                        }
                    }
                }
                let image0 = padded, image1 = padded + Swift.min(1, count - 1) * imageSize
                let image2 = padded + Swift.min(2, count - 1) * imageSize, image3 = padded + Swift.min(3, count - 1) * imageSize
                for y in 0..<outputHeight {
                    let qy = y / f, ry = y % f
                    for rx in 0..<f {
                        let phase = ry * f + rx
                        let list = offsets[phase], kernel = splatWeights[phase].pointer
                        let columnCount = rx < outputWidth ? (outputWidth - rx + f - 1) / f : 0
                        var q0 = 0
                        while q0 < columnCount {
                            for oc in 0..<o {
                                let b = SIMD8<Float>(repeating: bias.pointer[oc])
                                var acc0 = b, acc1 = b, acc2 = b, acc3 = b
                                for (e, offset) in list.enumerated() {
                                    let sy = qy + offset.dy
                                    if sy < 0 || sy >= h { continue }
                                    let weight = UnsafeRawPointer(kernel + 8 * (e * o + oc) * c)
                                    let row = sy * rowWidth + reach + q0 + offset.dx
                                    for ch in 0..<c {
                                        let k = weight.loadUnaligned(fromByteOffset: 32 * ch, as: SIMD8<Float>.self)
                                        let at = row + ch * h * rowWidth
                                        acc0 += k * UnsafeRawPointer(image0 + at).loadUnaligned(as: SIMD8<Float>.self)
                                        acc1 += k * UnsafeRawPointer(image1 + at).loadUnaligned(as: SIMD8<Float>.self)
                                        acc2 += k * UnsafeRawPointer(image2 + at).loadUnaligned(as: SIMD8<Float>.self)
                                        acc3 += k * UnsafeRawPointer(image3 + at).loadUnaligned(as: SIMD8<Float>.self)
                                    }
                                }
                                for lane in 0..<count {
                                    let out = output + (((first + lane) * outputHeight + y) * outputWidth) * o + oc
                                    let acc = lane == 0 ? acc0 : lane == 1 ? acc1 : lane == 2 ? acc2 : acc3
                                    for j in 0..<Swift.min(8, columnCount - q0) { out[((q0 + j) * f + rx) * o] = acc[j] }
                                }
                            }
                            q0 += 8
                        }
                    }
                }
                first += count
            }
        }
    }
}
