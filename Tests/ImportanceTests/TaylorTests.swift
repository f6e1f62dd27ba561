import Basics
import FeatureData
import Foundation
import Inference
import MultiObjective
import Testing
@testable import Importance

/// Backward passes against central finite differences, and Taylor importance on the mini bundle.
@Suite("Taylor importance: backward passes vs finite differences")
struct TaylorTests {
    static func tensor(_ shape: [Int], _ random: inout SeededRandom, scale: Double = 0.5) -> Tensor<Float> {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(scale * random.nextNormal()) })
    }

    /// A head that uses every layer type of FORMAT.md, strides and padding included:
    /// [2,6,6] conv3x3 p1 → [3,6,6] relu → maxpool2 → [3,3,3] upsample2 → [3,6,6]
    /// conv3x3 stride 2 p1 → [2,3,3] sigmoid → avgpool 3 → [2,1,1] … and a second branch-free
    /// tail: flatten → dense 2→3.
    static func tinyHead() throws -> HeadDescription {
        var r = SeededRandom(seed: 11)
        let layers: [LayerSpec] = [
            .conv2d(weight: tensor([3, 2, 3, 3], &r), bias: tensor([3], &r).values, stride: 1, padding: 1),
            .relu,
            .maxpool2d(size: 2, stride: 2),
            .upsample2d(factor: 2),
            .conv2d(weight: tensor([2, 3, 3, 3], &r), bias: tensor([2], &r).values, stride: 2, padding: 1),
            .sigmoid,
            .avgpool2d(size: 3, stride: 3),
            .flatten,
            .dense(weight: tensor([3, 2], &r, scale: 2), bias: tensor([3], &r).values),
        ]
        return try HeadDescription(inputShape: [2, 6, 6], layers: layers, file: "tiny")
    }

    @Test("every layer's backward pass matches central differences of Σ r·output (float64)")
    func finiteDifferences() throws {
        let head = HeadGradient(head: try Self.tinyHead())
        var random = SeededRandom(seed: 3)
        for trial in 0..<5 {
            let x = (0..<head.inputSize).map { _ in random.nextNormal() }
            let r = (0..<3).map { _ in random.nextNormal() }
            func loss(_ input: [Double]) -> Double { zip(head.output(input), r).reduce(0) { $0 + $1.0 * $1.1 } }
            let analytic = head.backward(activations: head.forward(x), outputGradient: r)
            let h = 1e-6
            var worst = 0.0
            for i in 0..<x.count {
                var plus = x, minus = x
                plus[i] += h
                minus[i] -= h
                let numeric = (loss(plus) - loss(minus)) / (2 * h)
                worst = max(worst, abs(numeric - analytic[i]))
            }
            let scale = analytic.map(abs).max()!
            #expect(scale > 1e-3, "trial \(trial): the gradient should not vanish")
            #expect(worst <= 1e-6 * max(1, scale), "trial \(trial): max |numeric − analytic| = \(worst)")
        }
    }

    @Test("pooling forward passes by hand")
    func poolingByHand() throws {
        // One channel, 2×2 map [[1, 4], [3, 2]]: max 4, mean 2.5; the max's gradient goes to element 1.
        for (layer, expected) in [(LayerSpec.maxpool2d(size: 2, stride: 2), 4.0), (.avgpool2d(size: 2, stride: 2), 2.5)] {
            let head = HeadGradient(head: try HeadDescription(inputShape: [1, 2, 2], layers: [layer], file: "pool"))
            let acts = head.forward([1, 4, 3, 2])
            #expect(acts.last! == [expected])
            let g = head.backward(activations: acts, outputGradient: [1])
            if case .maxpool2d = layer { #expect(g == [0, 1, 0, 0]) } else { #expect(g == [0.25, 0.25, 0.25, 0.25]) }
        }
    }

    @Test("the float64 forward pass reproduces the network's outputs on digits-pair-mini")
    func forwardMatchesOutputs() throws {
        let bundle = BundleMeasureTests.mini
        let fit = bundle.features[.fit]!
        for task in bundle.tasks {
            let head = HeadGradient(head: task.head!)
            var agree = 0, worst = 0.0
            let n = 200
            for s in 0..<n {
                let x = (0..<fit.sampleSize).map { Double(fit.values[s * fit.sampleSize + $0]) }
                let out = head.output(x)
                switch task.outputs[.fit]! {
                case .labels(let labels):
                    let argmax = out.indices.max { out[$0] < out[$1] || (out[$0] == out[$1] && $0 > $1) }!
                    if Int64(argmax) == labels.values[s] { agree += 1 }
                case .targets(let t):
                    for (i, v) in out.enumerated() { worst = max(worst, abs(v - Double(t.values[s * out.count + i]))) }
                    agree += 1
                }
            }
            #expect(agree == n, "\(task.name): \(agree)/\(n) argmax agree with the outputs file")
            #expect(worst < 1e-5, "\(task.name): max |output − outputs file| = \(worst)")
        }
    }

    @Test("loss gradients (softmax cross-entropy, squared error) through a real head vs central differences")
    func lossGradients() throws {
        let bundle = BundleMeasureTests.mini
        let fit = bundle.features[.fit]!
        for (t, task) in bundle.tasks.enumerated() {
            let head = HeadGradient(head: task.head!)
            let reference = task.kind == .reconstruction ? task.truth[.fit]! : task.outputs[.fit]!
            let s = 17 + t
            let x = (0..<fit.sampleSize).map { Double(fit.values[s * fit.sampleSize + $0]) }
            // The loss written out independently: −log softmax(z)[y], or Σ (z − target)².
            func loss(_ input: [Double]) -> Double {
                let z = head.output(input)
                switch reference {
                case .labels(let l):
                    let m = z.max()!
                    return log(z.reduce(0) { $0 + exp($1 - m) }) + m - z[Int(l.values[s])]
                case .targets(let target):
                    return z.indices.reduce(0) { $0 + pow(z[$1] - Double(target.values[s * z.count + $1]), 2) }
                }
            }
            let acts = head.forward(x)
            let dz = TaylorImportance.lossGradient(task: task, output: acts.last!, reference: reference, sample: s)
            let analytic = head.backward(activations: acts, outputGradient: dz)
            let h = 1e-6
            var worst = 0.0
            for i in stride(from: 0, to: x.count, by: 7) {
                var plus = x, minus = x
                plus[i] += h
                minus[i] -= h
                worst = max(worst, abs((loss(plus) - loss(minus)) / (2 * h) - analytic[i]))
            }
            #expect(worst <= 1e-6 * max(1, analytic.map(abs).max()!), "\(task.name): \(worst)")
        }
    }

    @Test("Taylor scores = |Σ x·∂loss/∂x| summed over samples and positions, per channel")
    func taylorDefinition() throws {
        // A 40-sample slice of the mini bundle; the sum written out directly here.
        var bundle = BundleMeasureTests.mini
        let keep = Array(0..<40)
        bundle.features[.fit] = bundle.features[.fit]!.selectingSamples(keep)
        for i in bundle.tasks.indices {
            bundle.tasks[i].outputs[.fit] = bundle.tasks[i].outputs[.fit]!.selectingSamples(keep)
            bundle.tasks[i].truth[.fit] = bundle.tasks[i].truth[.fit]!.selectingSamples(keep)
        }
        let scores = try ImportanceCalculator.scores(bundle: bundle, options: ImportanceOptions(measure: .taylor))
        let fit = bundle.features[.fit]!
        for (t, task) in bundle.tasks.enumerated() {
            let head = HeadGradient(head: task.head!)
            let reference = task.kind == .reconstruction ? task.truth[.fit]! : task.outputs[.fit]!
            var sums = [Double](repeating: 0, count: 32)
            for s in keep {
                let x = (0..<fit.sampleSize).map { Double(fit.values[s * fit.sampleSize + $0]) }
                let acts = head.forward(x)
                let g = head.backward(activations: acts, outputGradient: TaylorImportance.lossGradient(task: task, output: acts.last!, reference: reference, sample: s))
                for e in x.indices { sums[e / 32] += x[e] * g[e] }
            }
            for c in 0..<32 { #expect(abs(scores.scores[t][c] - abs(sums[c])) <= 1e-9 * max(1, abs(sums[c])), "\(task.name) channel \(c)") }
        }
    }
}
