import Foundation
import Testing
@testable import FeatureData

/// Library-level bundle checks that the command-line tests do not reach.
@Suite("bundle loading")
struct BundleTests {
    static let mini = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/data/digits-pair-mini").path

    @Test("the embedded bundle loads with its shapes and tasks")
    func mini() throws {
        let bundle = try FeatureBundle(directory: Self.mini)
        #expect(bundle.channelShape == [32, 4, 8])
        #expect(bundle.samples(.fit) == 1000 && bundle.samples(.eval) == 400)
        #expect(bundle.tasks.map(\.name) == ["left", "right", "sum_ge_10", "recon"])
        #expect(bundle.tasks.map(\.kind) == [.classification, .classification, .classification, .reconstruction])
        #expect(bundle.tasks[3].head?.outputShape == [1, 8, 16] && bundle.tasks[3].outputShape == [1, 8, 16])
        #expect(bundle.features(for: .search).samples == 200)
        // report = odd eval samples: its first sample is eval sample 1.
        let eval = bundle.features[.eval]!, report = bundle.features(for: .report)
        #expect(Array(report.values[0..<1024]) == Array(eval.values[1024..<2048]))
    }

    @Test("heads that do not chain name the layer and both shapes")
    func chaining() throws {
        let weight = Tensor<Float>(shape: [4, 3, 3, 3], values: [Float](repeating: 0, count: 108))
        #expect(throws: FeatureDataError(file: "h.json", "layer 1 (conv2d): input shape [4, 5, 5] does not chain: conv2d weight [4, 3, 3, 3] expects 3 input channels, the input is [4, 5, 5]")) {
            try HeadDescription(inputShape: [3, 5, 5], layers: [.conv2d(weight: weight, bias: [0, 0, 0, 0], stride: 1, padding: 1), .conv2d(weight: weight, bias: [0, 0, 0, 0], stride: 1, padding: 0)], file: "h.json")
        }
        #expect(throws: FeatureDataError.self) {
            try HeadDescription(inputShape: [3, 5, 5], layers: [.dense(weight: Tensor(shape: [2, 75], values: [Float](repeating: 0, count: 150)), bias: [0, 0])], file: "h.json")
        }
        #expect(throws: FeatureDataError.self) {
            try HeadDescription(inputShape: [3, 5, 5], layers: [.upsample2d(factor: 4000)], file: "h.json")
        }
        // The shapes of a head that chains: conv 3×3 stride 2 pad 1, maxpool 2 stride 1, flatten.
        let head = try HeadDescription(inputShape: [3, 5, 5], layers: [
            .conv2d(weight: weight, bias: [0, 0, 0, 0], stride: 2, padding: 1), .maxpool2d(size: 2, stride: 1), .upsample2d(factor: 3), .avgpool2d(size: 3, stride: 3), .flatten,
        ], file: "h.json")
        #expect(head.shapes == [[3, 5, 5], [4, 3, 3], [4, 2, 2], [4, 6, 6], [4, 2, 2], [16]])
    }

    @Test("an absolute path is refused")
    func absolutePath() {
        let directory = BundleDirectory(url: URL(fileURLWithPath: "/tmp"), name: "b")
        #expect(throws: FeatureDataError.self) { try directory.resolve("/etc/passwd") }
        #expect(throws: FeatureDataError.self) { try directory.resolve("fit/../../x.npy") }
        #expect(throws: Never.self) { try directory.resolve("fit/features.npy") }
    }
}
