import FeatureData
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one task turns head outputs into sufficient statistics per chunk, and those into metrics.
///
/// Statistics are counts and float64 sums per chunk; chunks are summed in chunk order at the end,
/// so the result does not depend on how many threads ran.
final class TaskMetric: @unchecked Sendable {
    let kind: TaskKind
    let name: String
    let classes: Int
    let peak: Double
    /// Output layout of the head: elements per sample, and for spatial outputs `[K, H', W']`.
    let outputSize: Int
    let outputIsSpatial: Bool
    let outputShape: [Int]
    /// Ground truth and the network's own outputs for the split (labels or float targets).
    let labels: FixedBuffer<Int64>?
    let outputLabels: FixedBuffer<Int64>?
    let targets: FixedBuffer<Float>?
    let outputTargets: FixedBuffer<Float>?

    init(task: TaskDescription, program: HeadProgram, split: Split, indices: [Int]) {
        kind = task.kind
        name = task.name
        classes = task.classes
        peak = task.peak
        outputSize = program.sampleSizes.last!
        outputIsSpatial = program.outputIsSpatial
        outputShape = program.outputShape
        func pick(_ truth: TaskTruth?) -> TaskTruth { truth!.selectingSamplesIfNeeded(indices, split: split) }
        switch (pick(task.truth[split.source]), pick(task.outputs[split.source])) {
        case let (.labels(l), .labels(o)):
            labels = FixedBuffer(copying: l.values)
            outputLabels = FixedBuffer(copying: o.values)
            targets = nil
            outputTargets = nil
        case let (.targets(t), .targets(o)):
            labels = nil
            outputLabels = nil
            targets = FixedBuffer(copying: t.values)
            outputTargets = FixedBuffer(copying: o.values)
        default:
            preconditionFailure("task \(task.name): labels and outputs of different kinds")
        }
    }

    /// Statistics per chunk.
    var statisticsCount: Int {
        switch kind {
        case .classification: return 2                  // correct, agreeing with outputs
        case .segmentation: return 3 + 3 * classes       // correct, valid, agreeing; per class ∩, pred, label
        case .reconstruction: return 2                   // Σ (y − t)², Σ (y − outputs)²
        }
    }

    /// Accumulates the statistics of samples `first ..< first + n`, whose head output is at `output`.
    func accumulate(output: UnsafePointer<Float>, first: Int, samples n: Int, into stats: UnsafeMutablePointer<Double>) {
        switch kind {
        case .classification:
            let labels = labels!.pointer, own = outputLabels!.pointer
            var correct = 0, agree = 0
            for s in 0..<n {
                let prediction = Int64(Self.argmax(output + s * outputSize, count: classes, stride: 1))
                if prediction == labels[first + s] { correct += 1 }
                if prediction == own[first + s] { agree += 1 }
            }
            stats[0] += Double(correct)
            stats[1] += Double(agree)
        case .segmentation:
            let labels = labels!.pointer, own = outputLabels!.pointer
            let pixels = outputSize / classes
            var correct = 0, valid = 0, agree = 0
            let perClass = stats + 3
            for s in 0..<n {
                for p in 0..<pixels {
                    // NHWC: the K logits of a pixel are contiguous.
                    let prediction = Self.argmax(output + s * outputSize + p * classes, count: classes, stride: 1)
                    let index = (first + s) * pixels + p
                    if Int64(prediction) == own[index] { agree += 1 }
                    let label = labels[index]
                    if label < 0 { continue }
                    valid += 1
                    perClass[classes + prediction] += 1
                    perClass[2 * classes + Int(label)] += 1
                    if Int64(prediction) == label { correct += 1; perClass[prediction] += 1 }
                }
            }
            stats[0] += Double(correct)
            stats[1] += Double(valid)
            stats[2] += Double(agree)
        case .reconstruction:
            let targets = targets!.pointer, own = outputTargets!.pointer
            var sse = 0.0, sseOwn = 0.0
            if outputIsSpatial {
                let k = outputShape[0], pixels = outputShape[1] * outputShape[2]
                for s in 0..<n {
                    let y = output + s * outputSize
                    let base = (first + s) * outputSize
                    for p in 0..<pixels {
                        for c in 0..<k {
                            let v = Double(y[p * k + c])
                            let t = base + c * pixels + p   // targets are C-order [K, H', W']
                            let d = v - Double(targets[t]), e = v - Double(own[t])
                            sse += d * d
                            sseOwn += e * e
                        }
                    }
                }
            } else {
                for i in 0..<(n * outputSize) {
                    let v = Double(output[i]), t = first * outputSize + i
                    let d = v - Double(targets[t]), e = v - Double(own[t])
                    sse += d * d
                    sseOwn += e * e
                }
            }
            stats[0] += sse
            stats[1] += sseOwn
        }
    }

    /// Index of the largest of `count` values; ties go to the lowest index.
    @inline(__always)
    static func argmax(_ x: UnsafePointer<Float>, count: Int, stride: Int) -> Int {
        var best = 0
        var value = x[0]
        for k in 1..<Swift.max(count, 1) where x[k * stride] > value {
            best = k
            value = x[k * stride]
        }
        return best
    }

    /// The metric from the statistics summed over every chunk, for `samples` samples.
    func score(_ stats: [Double], samples: Int) -> TaskScore {
        switch kind {
        case .classification:
            let n = Double(samples)
            return TaskScore(name: name, kind: kind, metric: stats[0] / n,
                             details: [("correct", stats[0]), ("n", n), ("agreement", stats[1] / n)])
        case .segmentation:
            var iouSum = 0.0, present = 0
            for k in 0..<classes {
                let intersection = stats[3 + k]
                let union = stats[3 + classes + k] + stats[3 + 2 * classes + k] - intersection
                if union > 0 {
                    iouSum += intersection / union
                    present += 1
                }
            }
            let miou = present > 0 ? iouSum / Double(present) : 0
            let pixels = Double(samples * (outputSize / classes))
            return TaskScore(name: name, kind: kind, metric: miou,
                             details: [("pixelAccuracy", stats[1] > 0 ? stats[0] / stats[1] : 0), ("correctPixels", stats[0]),
                                       ("pixels", stats[1]), ("classesPresent", Double(present)), ("agreement", stats[2] / pixels)])
        case .reconstruction:
            let elements = Double(samples * outputSize)
            let mse = stats[0] / elements, mseOwn = stats[1] / elements
            return TaskScore(name: name, kind: kind, metric: 10 * log10(peak * peak / mse),
                             details: [("mse", mse), ("elements", elements), ("psnrVsOutputs", 10 * log10(peak * peak / mseOwn))])
        }
    }
}

extension TaskTruth {
    func selectingSamplesIfNeeded(_ indices: [Int], split: Split) -> TaskTruth {
        split == .fit || split == .eval ? self : selectingSamples(indices)
    }
}
