import Basics
import Dispatch
import FeatureData
import Inference

/// First-order Taylor importance (Molchanov et al.): for channel c of task t,
/// `|Σ_samples Σ_positions x · ∂loss/∂x|` over the fit split — the first-order change of the
/// task's total loss when the channel is zeroed.
///
/// The loss, per task kind:
/// * classification: cross-entropy of the head's logits against the network's output class
///   (`--target outputs`) or the label (`--target labels`);
/// * segmentation: the same per pixel, summed over pixels; pixels labelled −1 are left out;
/// * reconstruction: squared error summed over the output, **against the targets in both
///   cases**. Against the network's own outputs the first-order term is zero: at clean features
///   the head reproduces its outputs, so ∂MSE/∂output vanishes, and the stored float32 outputs
///   differ from our float64 forward pass only by rounding — a gradient of rounding noise, whose
///   ranking means nothing. The targets give the loss the network was trained on.
enum TaylorImportance {
    /// `scores[task][channel]` over the global channels. A head reads one stream: the channels
    /// of the other streams do not reach its loss, so their scores are 0.
    static func scores(bundle: FeatureBundle, target: ImportanceTarget) throws -> [[Double]] {
        if let task = bundle.tasks.first(where: { !$0.hasHead }) {
            throw ImportanceError.invalidArgument("taylor needs the task's head, and task \"\(task.name)\" has none (pick another measure, e.g. mi)")
        }
        return try bundle.tasks.map { task in
            let stream = bundle.streams[bundle.streamIndex(of: task)!]
            let own = try scores(task: task, features: stream.features(for: .fit), target: target)
            var row = [Double](repeating: 0, count: bundle.channels)
            row.replaceSubrange(stream.channelRange, with: own)
            return row
        }
    }

    /// Samples per work item: a fixed split, so sums do not depend on the number of threads.
    static let chunk = 64

    static func scores(task: TaskDescription, features: Tensor<Float>, target: ImportanceTarget) throws -> [Double] {
        let head = HeadGradient(head: task.head!)
        let n = features.samples, size = features.sampleSize
        let channels = features.shape[1], perChannel = size / channels
        let reference = task.kind == .reconstruction ? task.truth[.fit]! : TaskTargets.source(task, target: target)
        let chunks = (n + chunk - 1) / chunk
        let partial = ParallelFor.map(chunks, initial: [Double]()) { k in
            var sums = [Double](repeating: 0, count: channels)
            features.values.withUnsafeBufferPointer { x in
                for s in (k * chunk)..<Swift.min(n, (k + 1) * chunk) {
                    let input = (0..<size).map { Double(x[s * size + $0]) }
                    let activations = head.forward(input)
                    let dOutput = lossGradient(task: task, output: activations.last!, reference: reference, sample: s)
                    let dInput = head.backward(activations: activations, outputGradient: dOutput)
                    for c in 0..<channels {
                        var t = 0.0
                        for e in (c * perChannel)..<((c + 1) * perChannel) { t += input[e] * dInput[e] }
                        sums[c] += t
                    }
                }
            }
            return sums
        }
        var total = [Double](repeating: 0, count: channels)
        for p in partial { for c in 0..<channels { total[c] += p[c] } }
        return total.map(abs)
    }

    /// ∂loss/∂output for one sample.
    static func lossGradient(task: TaskDescription, output z: [Double], reference: TaskTruth, sample s: Int) -> [Double] {
        switch (task.kind, reference) {
        case (.classification, .labels(let labels)):
            return softmaxMinusOneHot(z, offset: 0, count: z.count, stride: 1, label: Int(labels.values[s]))
        case (.segmentation, .labels(let labels)):
            // Output [K, H', W']: softmax over the class axis at each pixel.
            let k = task.classes, pixels = z.count / k
            var g = [Double](repeating: 0, count: z.count)
            for p in 0..<pixels {
                let label = Int(labels.values[s * pixels + p])
                guard label >= 0 else { continue }
                let column = softmaxMinusOneHot(z, offset: p, count: k, stride: pixels, label: label)
                for c in 0..<k { g[c * pixels + p] = column[c] }
            }
            return g
        case (_, .targets(let targets)):
            let m = z.count
            return (0..<m).map { 2 * (z[$0] - Double(targets.values[s * m + $0])) }
        default:
            return [Double](repeating: 0, count: z.count)
        }
    }

    /// softmax(z) − onehot(label) over `count` values of `z` at `offset + i·stride`.
    static func softmaxMinusOneHot(_ z: [Double], offset: Int, count: Int, stride: Int, label: Int) -> [Double] {
        var m = -Double.infinity
        for i in 0..<count { m = max(m, z[offset + i * stride]) }
        var p = (0..<count).map { exp(z[offset + $0 * stride] - m) }
        let total = p.reduce(0, +)
        for i in 0..<count { p[i] /= total }
        if label >= 0 && label < count { p[label] -= 1 }
        return p
    }
}

import Foundation
