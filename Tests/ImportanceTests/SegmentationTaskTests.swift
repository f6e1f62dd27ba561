import Basics
import Foundation
import Inference
import MultiObjective
import Testing
@testable import FeatureData
@testable import Importance

/// No shared bundle has a segmentation task: this one is built in memory on 300 samples of
/// digits-pair-mini — a random head conv3x3(32→3) → relu → conv1x1(3→3), labels with ignored
/// pixels (−1), outputs = the head's own argmax.
@Suite("a segmentation task: per-pixel loss, one-hot clustering")
struct SegmentationTaskTests {
    static func bundle() throws -> FeatureBundle {
        var b = BundleMeasureTests.mini
        let keep = Array(0..<300)
        b.features[.fit] = b.features[.fit]!.selectingSamples(keep)
        b.tasks = b.tasks.filter { $0.kind == .classification }.map { task in
            var t = task
            t.outputs[.fit] = task.outputs[.fit]!.selectingSamples(keep)
            t.truth[.fit] = task.truth[.fit]!.selectingSamples(keep)
            return t
        } + [try segmentation(features: b.features[.fit]!)]
        return b
    }

    static func segmentation(features: Tensor<Float>) throws -> TaskDescription {
        var r = SeededRandom(seed: 21)
        func tensor(_ shape: [Int]) -> Tensor<Float> { Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(0.2 * r.nextNormal()) }) }
        let head = try HeadDescription(inputShape: [32, 4, 8], layers: [
            .conv2d(weight: tensor([3, 32, 3, 3]), bias: [0.1, 0, -0.1], stride: 1, padding: 1),
            .relu,
            .conv2d(weight: tensor([3, 3, 1, 1]), bias: [0, 0.05, 0], stride: 1, padding: 0),
        ], file: "seg")
        let gradient = HeadGradient(head: head)
        let n = features.samples, size = features.sampleSize
        var outputs = [Int64](), labels = [Int64]()
        for s in 0..<n {
            let z = gradient.output((0..<size).map { Double(features.values[s * size + $0]) })
            for p in 0..<32 {
                let scores = (0..<3).map { z[$0 * 32 + p] }
                let argmax = Int64(scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!)
                outputs.append(argmax)
                // Labels: the argmax, changed on every 5th pixel, ignored on every 7th.
                labels.append(p % 7 == 0 ? -1 : (p % 5 == 0 ? (argmax + 1) % 3 : argmax))
            }
        }
        let shape = [n, 4, 8]
        return TaskDescription(name: "seg", kind: .segmentation, classes: 3, peak: 1, head: head,
                               truth: [.fit: .labels(Tensor(shape: shape, values: labels))],
                               outputs: [.fit: .labels(Tensor(shape: shape, values: outputs))])
    }

    @Test("per-pixel cross-entropy gradient, −1 pixels skipped, vs central differences of the loss written out")
    func lossGradient() throws {
        let b = try Self.bundle()
        let task = b.tasks.last!
        let head = HeadGradient(head: task.head!)
        let fit = b.features[.fit]!
        guard case .labels(let labels) = task.truth[.fit]! else { Issue.record("labels"); return }
        let s = 9
        let x = (0..<fit.sampleSize).map { Double(fit.values[s * fit.sampleSize + $0]) }
        func loss(_ input: [Double]) -> Double {
            let z = head.output(input)
            var total = 0.0
            for p in 0..<32 {
                let y = Int(labels.values[s * 32 + p])
                if y < 0 { continue }
                let col = (0..<3).map { z[$0 * 32 + p] }
                let m = col.max()!
                total += log(col.reduce(0) { $0 + exp($1 - m) }) + m - col[y]
            }
            return total
        }
        let acts = head.forward(x)
        let analytic = head.backward(activations: acts, outputGradient: TaylorImportance.lossGradient(task: task, output: acts.last!, reference: task.truth[.fit]!, sample: s))
        var worst = 0.0
        for i in stride(from: 0, to: x.count, by: 5) {
            var plus = x, minus = x
            plus[i] += 1e-6
            minus[i] -= 1e-6
            worst = max(worst, abs((loss(plus) - loss(minus)) / 2e-6 - analytic[i]))
        }
        #expect(analytic.map(abs).max()! > 1e-3)
        #expect(worst <= 1e-6 * max(1, analytic.map(abs).max()!), "\(worst)")
    }

    @Test("one-hot encoding of segmentation maps: ignored pixels are all zeros")
    func oneHot() {
        let (values, shape) = TaskTargets.denseValues(.labels(Tensor(shape: [1, 1, 3], values: [2, -1, 0])), classes: 3)
        #expect(shape == [3, 1, 3])
        #expect(values == [0, 0, 1, 0, 0, 0, 1, 0, 0])
    }

    @Test("every MI estimator and Taylor run on it, outputs and labels: finite, non-negative, 32 per task")
    func measures() throws {
        let b = try Self.bundle()
        for target in ImportanceTarget.allCases {
            for estimator in MIEstimatorKind.allCases {
                var o = ImportanceOptions(measure: .mi)
                o.estimator = estimator
                o.target = target
                o.neighbours = 2
                o.patch = estimator == .patch ? PatchSize(height: 2, width: 4) : nil
                o.clusters = 8
                let scores = try ImportanceCalculator.scores(bundle: b, options: o)
                #expect(scores.scores.count == 4)
                #expect(scores.scores.allSatisfy { $0.count == 32 && $0.allSatisfy { $0.isFinite && $0 >= 0 } }, "\(estimator) \(target)")
                // The segmentation map depends on the features: some channel carries information.
                #expect(scores.scores[3].max()! > 0.01, "\(estimator) \(target): \(scores.scores[3].max()!)")
            }
            var t = ImportanceOptions(measure: .taylor)
            t.target = target
            let taylor = try ImportanceCalculator.scores(bundle: b, options: t)
            #expect(taylor.scores[3].allSatisfy { $0.isFinite } && taylor.scores[3].max()! > 0)
        }
    }
}
