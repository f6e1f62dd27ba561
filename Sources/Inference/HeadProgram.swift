import FeatureData

/// A task head compiled for batched channels-last execution, with its buffer needs.
struct HeadProgram: @unchecked Sendable {
    let layers: [CompiledLayer]
    /// `sampleSizes[i]`: elements per sample of layer `i`'s input; the last entry is the output.
    let sampleSizes: [Int]
    /// The logical output shape (`[K]`, `[K, H', W']`, …) and whether it is stored NHWC.
    let outputShape: [Int]
    let outputIsSpatial: Bool
    /// Largest activation and im2col sizes per sample (buffer sizing).
    let largestActivation: Int
    let largestPatches: Int

    init(_ head: HeadDescription) {
        var layers: [CompiledLayer] = []
        var largestPatches = 0
        var index = 0
        while index < head.layers.count {
            let spec = head.layers[index], input = head.shapes[index]
            if case .flatten = spec, input.count == 3, index + 1 < head.layers.count, case .dense = head.layers[index + 1] {
                // Fold the NHWC → CHW permutation into the dense weight: no data moves.
                layers.append(.flatten(height: input[1], width: input[2], channels: input[0], folded: true))
                layers.append(CompiledLayer.compile(head.layers[index + 1], input: head.shapes[index + 1], foldedFlattenOf: input))
                index += 2
                continue
            }
            if case let .upsample2d(factor) = spec, index > 0, index + 1 < head.layers.count,
               case let .conv2d(weight, bias, stride, padding) = head.layers[index + 1],
               stride == 1, weight.shape[0] <= directConvolutionMaximumOutputs {
                layers.append(.upsampleConv(UpsampleConv(height: input[1], width: input[2], channels: input[0], factor: factor,
                                                         weight: weight, bias: bias, padding: padding)))
                layers.append(.skip)
                index += 2
                continue
            }
            // The first layer stays a GEMM conv so heads can share it (SharedFirstConv).
            let layer = CompiledLayer.compile(spec, input: input, foldedFlattenOf: nil, allowDirect: index > 0)
            if case .conv(let g, _, _) = layer, !g.isPointwise {
                largestPatches = Swift.max(largestPatches, g.outputHeight * g.outputWidth * g.patchSize)
            }
            layers.append(layer)
            index += 1
        }
        self.layers = layers
        sampleSizes = head.shapes.map { $0.reduce(1, *) }
        outputShape = head.outputShape
        // Rank-3 activations are spatial (stored NHWC) until a flatten makes them vectors.
        outputIsSpatial = head.outputShape.count == 3
        largestActivation = sampleSizes.max() ?? 0
        self.largestPatches = largestPatches
    }

    /// Runs layers `start…` on `samples` samples at `input`, using `scratch`; returns where the
    /// output is. `input` is written to only when `ownsInput` (it is then one of `scratch`'s).
    func run(from start: Int, input: UnsafeMutablePointer<Float>, samples n: Int, scratch: HeadScratch, ownsInput: Bool) -> UnsafeMutablePointer<Float> {
        var current = input
        let shared: UnsafeMutablePointer<Float>? = ownsInput ? nil : input
        func destination() -> UnsafeMutablePointer<Float> { current == scratch.first ? scratch.second : scratch.first }
        for index in start..<layers.count {
            let inSize = sampleSizes[index]
            switch layers[index] {
            case let .conv(g, weight, bias):
                let out = destination()
                let rows = n * g.outputHeight * g.outputWidth
                if g.isPointwise {
                    Kernels.matmulAddBias(current, weight.pointer, bias.pointer, into: out, m: rows, k: g.inputChannels, n: g.outputChannels)
                } else {
                    Kernels.im2col(current, samples: n, g, into: scratch.patches)
                    Kernels.matmulAddBias(scratch.patches, weight.pointer, bias.pointer, into: out, m: rows, k: g.patchSize, n: g.outputChannels)
                }
                current = out
            case let .upsampleConv(fused):
                let out = destination()
                fused.run(current, samples: n, into: out)
                current = out
            case .skip:
                continue
            case let .directConv(g, weight, bias):
                let out = destination()
                Kernels.convolveDirect(current, samples: n, g, weight: weight.pointer, bias: bias.pointer, into: out)
                current = out
            case let .dense(inputs, outputs, weight, bias):
                let out = destination()
                Kernels.matmulAddBias(current, weight.pointer, bias.pointer, into: out, m: n, k: inputs, n: outputs)
                current = out
            case .relu:
                let out = current == shared ? destination() : current
                let count = n * inSize
                for i in 0..<count { out[i] = Swift.max(current[i], 0) }
                current = out
            case .sigmoid:
                let out = current == shared ? destination() : current
                if out != current { out.update(from: current, count: n * inSize) }
                Kernels.sigmoid(out, count: n * inSize)
                current = out
            case let .pool(g, isMax):
                let out = destination()
                Kernels.pool(current, samples: n, g, isMax: isMax, into: out)
                current = out
            case let .upsample(h, w, c, f):
                let out = destination()
                Kernels.upsample(current, samples: n, height: h, width: w, channels: c, factor: f, into: out)
                current = out
            case let .flatten(h, w, c, folded):
                if folded || h * w == 1 { continue }
                let out = destination()
                Kernels.flatten(current, samples: n, height: h, width: w, channels: c, into: out)
                current = out
            }
        }
        return current
    }
}

/// The per-worker buffers a head runs in (reused across heads and chunks).
final class HeadScratch: @unchecked Sendable {
    let first: UnsafeMutablePointer<Float>
    let second: UnsafeMutablePointer<Float>
    let patches: UnsafeMutablePointer<Float>

    init(activations: Int, patches: Int) {
        first = .allocate(capacity: Swift.max(activations, 1))
        second = .allocate(capacity: Swift.max(activations, 1))
        self.patches = .allocate(capacity: Swift.max(patches, 1))
        first.initialize(repeating: 0, count: Swift.max(activations, 1))
        second.initialize(repeating: 0, count: Swift.max(activations, 1))
        self.patches.initialize(repeating: 0, count: Swift.max(patches, 1))
    }

    deinit {
        first.deallocate()
        second.deallocate()
        patches.deallocate()
    }
}
