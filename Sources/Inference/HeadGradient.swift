import FeatureData

/// A task head run forward and backward in float64, one sample at a time, in the logical C-order
/// layout of docs/format.md (`[C, H, W]` or `[D]`): the backward passes Taylor importance needs.
///
/// Deliberately simple and separate from `Scorer` (which is float32, batched, NHWC and fused):
/// gradients are checked against finite differences, and float64 keeps those checks tight.
/// Every layer type of docs/format.md has its backward pass: conv2d, dense, relu, sigmoid,
/// maxpool2d (the gradient goes to the first maximum of each window, the one the forward pass
/// picks), avgpool2d, upsample2d (nearest: a block's gradients sum) and flatten (identity on
/// C-order data).
public struct HeadGradient: Sendable {
    public let head: HeadDescription
    /// Weights converted once to float64, per layer (empty for layers without weights).
    let weights: [[Double]]
    let biases: [[Double]]

    public init(head: HeadDescription) {
        self.head = head
        var weights: [[Double]] = [], biases: [[Double]] = []
        for layer in head.layers {
            switch layer {
            case let .conv2d(weight, bias, _, _), let .dense(weight, bias):
                weights.append(weight.values.map(Double.init))
                biases.append(bias.map(Double.init))
            default:
                weights.append([])
                biases.append([])
            }
        }
        self.weights = weights
        self.biases = biases
    }

    public var inputSize: Int { head.inputShape.reduce(1, *) }
    public var outputShape: [Int] { head.outputShape }

    /// Every layer's input, and the output last: `activations[i]` is layer i's input.
    public func forward(_ input: [Double]) -> [[Double]] {
        precondition(input.count == inputSize, "input has \(input.count) values, the head takes \(inputSize)")
        var activations = [input]
        activations.reserveCapacity(head.layers.count + 1)
        for (i, layer) in head.layers.enumerated() {
            activations.append(forward(layer: i, layer, activations[i]))
        }
        return activations
    }

    /// The head's output for one sample.
    public func output(_ input: [Double]) -> [Double] { forward(input).last! }

    /// ∂loss/∂input, given the activations of `forward` and ∂loss/∂output.
    public func backward(activations: [[Double]], outputGradient: [Double]) -> [Double] {
        precondition(activations.count == head.layers.count + 1 && outputGradient.count == activations.last!.count)
        var gradient = outputGradient
        for i in stride(from: head.layers.count - 1, through: 0, by: -1) {
            gradient = backward(layer: i, head.layers[i], input: activations[i], output: activations[i + 1], gradient: gradient)
        }
        return gradient
    }

    func forward(layer index: Int, _ layer: LayerSpec, _ x: [Double]) -> [Double] {
        let inShape = head.shapes[index], outShape = head.shapes[index + 1]
        var y = [Double](repeating: 0, count: outShape.reduce(1, *))
        switch layer {
        case let .conv2d(weight, _, stride, padding):
            let conv = Conv(weight.shape, input: inShape, output: outShape, stride: stride, padding: padding)
            weights[index].withUnsafeBufferPointer { w in
                x.withUnsafeBufferPointer { x in
                    y.withUnsafeMutableBufferPointer { y in conv.forward(x, w, biases[index], y) }
                }
            }
        case let .dense(weight, _):
            let outputs = weight.shape[0], inputs = weight.shape[1]
            weights[index].withUnsafeBufferPointer { w in
                for o in 0..<outputs {
                    var s = biases[index][o]
                    let row = o * inputs
                    for k in 0..<inputs { s += w[row + k] * x[k] }
                    y[o] = s
                }
            }
        case .relu:
            for k in x.indices { y[k] = Swift.max(x[k], 0) }
        case .sigmoid:
            for k in x.indices { y[k] = 1 / (1 + (-x[k]).exp) }
        case let .maxpool2d(size, stride), let .avgpool2d(size, stride):
            let isMax: Bool = { if case .maxpool2d = layer { return true }; return false }()
            let (c, h, w) = (inShape[0], inShape[1], inShape[2]), (oh, ow) = (outShape[1], outShape[2])
            for ch in 0..<c { for i in 0..<oh { for j in 0..<ow {
                var m = -Double.infinity, s = 0.0
                for a in 0..<size { for b in 0..<size {
                    let e: Int = (ch * h + i * stride + a) * w + j * stride + b
                    let v = x[e]
                    m = Swift.max(m, v); s += v
                } }
                y[(ch * oh + i) * ow + j] = isMax ? m : s / Double(size * size)
            } } }
        case let .upsample2d(f):
            let (c, h, w) = (inShape[0], inShape[1], inShape[2])
            for ch in 0..<c { for i in 0..<(h * f) { for j in 0..<(w * f) {
                let source: Int = (ch * h + i / f) * w + j / f
                let target: Int = (ch * h * f + i) * w * f + j
                y[target] = x[source]
            } } }
        case .flatten:
            y = x
        }
        return y
    }

    func backward(layer index: Int, _ layer: LayerSpec, input x: [Double], output y: [Double], gradient g: [Double]) -> [Double] {
        let inShape = head.shapes[index], outShape = head.shapes[index + 1]
        var dx = [Double](repeating: 0, count: x.count)
        switch layer {
        case let .conv2d(weight, _, stride, padding):
            let conv = Conv(weight.shape, input: inShape, output: outShape, stride: stride, padding: padding)
            weights[index].withUnsafeBufferPointer { w in
                g.withUnsafeBufferPointer { g in
                    dx.withUnsafeMutableBufferPointer { dx in conv.backward(g, w, dx) }
                }
            }
        case let .dense(weight, _):
            let outputs = weight.shape[0], inputs = weight.shape[1]
            weights[index].withUnsafeBufferPointer { w in
                dx.withUnsafeMutableBufferPointer { dx in
                    for o in 0..<outputs where g[o] != 0 {
                        let go = g[o], row = o * inputs
                        for k in 0..<inputs { dx[k] += w[row + k] * go }
                    }
                }
            }
        case .relu:
            for k in x.indices { dx[k] = x[k] > 0 ? g[k] : 0 }
        case .sigmoid:
            for k in x.indices { dx[k] = g[k] * y[k] * (1 - y[k]) }
        case let .maxpool2d(size, stride), let .avgpool2d(size, stride):
            let isMax: Bool = { if case .maxpool2d = layer { return true }; return false }()
            let (c, h, w) = (inShape[0], inShape[1], inShape[2]), (oh, ow) = (outShape[1], outShape[2])
            for ch in 0..<c { for i in 0..<oh { for j in 0..<ow {
                let go = g[(ch * oh + i) * ow + j]
                if isMax {
                    // The first maximum in row-major window order, as the forward pass's max keeps it.
                    var best = -Double.infinity, at = 0
                    for a in 0..<size { for b in 0..<size {
                        let e: Int = (ch * h + i * stride + a) * w + j * stride + b
                        if x[e] > best { best = x[e]; at = e }
                    } }
                    dx[at] += go
                } else {
                    let share = go / Double(size * size)
                    for a in 0..<size {
                        let row: Int = (ch * h + i * stride + a) * w + j * stride
                        for b in 0..<size { dx[row + b] += share }
                    }
                }
            } } }
        case let .upsample2d(f):
            let (c, h, w) = (inShape[0], inShape[1], inShape[2])
            for ch in 0..<c { for i in 0..<(h * f) { for j in 0..<(w * f) {
                let source: Int = (ch * h + i / f) * w + j / f
                let target: Int = (ch * h * f + i) * w * f + j
                dx[source] += g[target]
            } } }
        case .flatten:
            dx = g
        }
        return dx
    }
}

/// conv2d geometry on C-order maps (cross-correlation, zero padding).
private struct Conv {
    let outputs, inputs, kh, kw, h, w, oh, ow, stride, padding: Int

    init(_ weightShape: [Int], input: [Int], output: [Int], stride: Int, padding: Int) {
        outputs = weightShape[0]; inputs = weightShape[1]; kh = weightShape[2]; kw = weightShape[3]
        h = input[1]; w = input[2]; oh = output[1]; ow = output[2]
        self.stride = stride; self.padding = padding
    }

    /// Output columns j with 0 ≤ j·stride + b − padding < w, as a range.
    @inline(__always) func columns(_ b: Int) -> Range<Int> {
        let lo = Swift.max(0, (padding - b + stride - 1) / stride)
        let top = w - 1 + padding - b
        guard top >= 0 else { return 0..<0 }
        let hi = Swift.min(ow, top / stride + 1)
        return lo..<Swift.max(lo, hi)
    }

    func forward(_ x: UnsafeBufferPointer<Double>, _ weight: UnsafeBufferPointer<Double>, _ bias: [Double], _ y: UnsafeMutableBufferPointer<Double>) {
        for o in 0..<outputs {
            for p in 0..<(oh * ow) { y[o * oh * ow + p] = bias[o] }
            for c in 0..<inputs {
                for a in 0..<kh {
                    for b in 0..<kw {
                        let wv = weight[((o * inputs + c) * kh + a) * kw + b]
                        let js = columns(b)
                        for i in 0..<oh {
                            let r = i * stride + a - padding
                            guard r >= 0 && r < h else { continue }
                            let src = (c * h + r) * w - padding + b, dst = (o * oh + i) * ow
                            for j in js { y[dst + j] += wv * x[src + j * stride] }
                        }
                    }
                }
            }
        }
    }

    func backward(_ g: UnsafeBufferPointer<Double>, _ weight: UnsafeBufferPointer<Double>, _ dx: UnsafeMutableBufferPointer<Double>) {
        for o in 0..<outputs {
            for c in 0..<inputs {
                for a in 0..<kh {
                    for b in 0..<kw {
                        let wv = weight[((o * inputs + c) * kh + a) * kw + b]
                        let js = columns(b)
                        for i in 0..<oh {
                            let r = i * stride + a - padding
                            guard r >= 0 && r < h else { continue }
                            let dst = (c * h + r) * w - padding + b, src = (o * oh + i) * ow
                            for j in js { dx[dst + j * stride] += wv * g[src + j] }
                        }
                    }
                }
            }
        }
    }
}

private extension Double {
    var exp: Double { Foundation.exp(self) }
}

import Foundation
