import Allocation
import FeatureData
import Foundation
import Testing

/// The bundles the allocation tests run on: the committed mini bundle, and the shared data when
/// it is there.
enum TestBundles {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let miniPath = repository.appendingPathComponent("examples/data/digits-pair-mini").path
    static let fullPath = repository.deletingLastPathComponent().appendingPathComponent("shared/data/digits-pair").path

    static let mini: FeatureBundle = try! FeatureBundle(directory: miniPath)

    /// `digits-pair`, or nil (with the reason printed) when `../shared` is absent.
    static let full: FeatureBundle? = {
        guard FileManager.default.fileExists(atPath: fullPath + "/bundle.json") else {
            print("skipping digits-pair checks: \(fullPath) is absent")
            return nil
        }
        return try? FeatureBundle(directory: fullPath)
    }()

    static func referenceVariances(bundlePath: String) throws -> [Double] {
        let data = try Data(contentsOf: URL(fileURLWithPath: bundlePath + "/reference.json"))
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let stats = try #require(reference["channel_stats_fit"] as? [String: Any])
        return try #require(stats["variance"] as? [Double])
    }
}

func relativeDifference(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b))
}

@Suite struct DistortionTableTests {
    /// D_c(b) of digits-pair-mini's fit split, channels 0, 5, 17, 30, b = 0…8, made with numpy in
    /// float64 (/work/.peers-venv):
    ///   x = np.load('fit/features.npy').astype(np.float64); v = x[:, c].ravel()
    ///   lo, hi, mean = v.min(), v.max(), v.mean();  D(0) = mean((v − mean)²)
    ///   L = 2^b − 1; u = clip((v − lo)/(hi − lo)·L, 0, L); t = trunc(u); q = t + (u − t ≥ 0.5)
    ///   D(b) = mean((v − (lo + q·(hi − lo)/L))²)
    /// (D(1) > D(0): one bit is worse than the mean on these skewed post-ReLU channels.)
    static let numpy: [Int: [Double]] = [
        0: [0.3572445012014822, 0.7192929740701636, 0.08481975859648318, 0.016742495642936197, 0.003514232346040256,
            0.0008125510734492446, 0.00019847098169502436, 4.938491144551968e-05, 1.2212631596569896e-05],
        5: [0.9497852550642191, 1.2624960784185038, 0.12085806837704141, 0.023179808067829336, 0.005075627655458561,
            0.0011849921062225782, 0.00028775243483672886, 7.068056584148258e-05, 1.743864935483145e-05],
        17: [0.32933633829876713, 0.6914186029726674, 0.11979698829658321, 0.02180608516655697, 0.004709775115817074,
             0.0010851855539861228, 0.00026420845070657627, 6.498065098918985e-05, 1.6178529410589582e-05],
        30: [0.44679559227059434, 1.9776821938639613, 0.19541477605735322, 0.03733474420691626, 0.008420202855871308,
             0.0019529808126606421, 0.0004777933178055131, 0.00011866321967316413, 2.878900596234638e-05],
    ]

    @Test func miniMatchesNumpy() throws {
        let table = DistortionTable(fitOf: TestBundles.mini, maxBits: 8)
        #expect(table.channels == 32 && table.maxBits == 8)
        for (c, expected) in Self.numpy {
            for b in 0...8 {
                #expect(relativeDifference(table.absolute[c][b], expected[b]) < 1e-12, "channel \(c), \(b) bits: \(table.absolute[c][b]) vs numpy \(expected[b])")
                #expect(relativeDifference(table.relative[c][b], expected[b] / expected[0]) < 1e-12)
            }
            #expect(table.relative[c][0] == 1)
        }
    }

    @Test func zeroBitsIsTheReferenceVariance() throws {
        for (bundle, path) in [(TestBundles.mini, TestBundles.miniPath)] + (TestBundles.full.map { [($0, TestBundles.fullPath)] } ?? []) {
            let variances = try TestBundles.referenceVariances(bundlePath: path)
            let table = DistortionTable(fitOf: bundle, maxBits: 2)
            #expect(variances.count == table.channels)
            for c in 0..<table.channels {
                #expect(relativeDifference(table.absolute[c][0], variances[c]) < 1e-12, "\(bundle.name) channel \(c)")
            }
        }
    }

    /// Hand computation, `[N = 2, C = 2, S = 2]`: channel 0 holds 0, 1 (sample 0) and 0.25, 0.75
    /// (sample 1): lo 0, hi 1, mean 0.5, variance (0.25 + 0.25 + 0.0625 + 0.0625)/4 = 0.15625.
    /// 1 bit: x̂ = 0, 1, 0, 1 → D = (0.0625 + 0.0625)/4 = 0.03125. 2 bits: 3x = 0, 3, 0.75, 2.25
    /// → q = 0, 3, 1, 2 → x̂ = 0, 1, 1/3, 2/3 → D = 2·(1/12)²/4 = 1/288.
    /// Channel 1 is the constant 2: D = 0 everywhere and d = 0 (exact at any depth).
    @Test func handComputed() {
        let features = Tensor<Float>(shape: [2, 2, 2], values: [0, 1, 2, 2, 0.25, 0.75, 2, 2])
        let quantiser = Quantiser(stats: ChannelStats(features: features))
        let table = DistortionTable(features: features, quantiser: quantiser, maxBits: 2)
        #expect(table.absolute[0][0] == 0.15625)
        #expect(table.absolute[0][1] == 0.03125)
        #expect(relativeDifference(table.absolute[0][2], 1.0 / 288) < 1e-15)
        #expect(table.relative[0] == [1, 0.2, table.absolute[0][2] / 0.15625])
        #expect(table.absolute[1] == [0, 0, 0])
        #expect(table.relative[1] == [0, 0, 0])
    }

    @Test func vectorFeatures() {
        // [N = 4, C = 1]: values 0, 1, 2, 3; mean 1.5, variance 1.25; 1 bit: x̂ = 0, 0, 3, 3
        // (1/3 → 0, 2/3 → 1) → D = (0 + 1 + 1 + 0)/4 = 0.5.
        let features = Tensor<Float>(shape: [4, 1], values: [0, 1, 2, 3])
        let table = DistortionTable(features: features, quantiser: Quantiser(stats: ChannelStats(features: features)), maxBits: 1)
        #expect(table.absolute[0] == [1.25, 0.5])
    }
}
