import FeatureData
import Foundation
import Testing
@testable import Importance

/// Measures on a bundle through `ImportanceCalculator` (the entry point the commands use).
@Suite("bundle measures: baselines, entropy, constant channels, bad input")
struct BundleMeasureTests {
    static let mini = try! FeatureBundle(directory: Paths.mini.path)

    /// Made with numpy (/work/.peers-venv) from examples/data/digits-pair-mini/fit/features.npy in
    /// float64, per channel over all samples and positions:
    ///   l1 = mean|x|, l2 = sqrt(mean x²), variance = var(x) (population),
    ///   entropy = -Σ p log2 p of q = clip(floor((x-lo)/(hi-lo)·255 + 0.5), 0, 255).
    static let numpy: [ImportanceMeasure: [Double]] = [
        .l1: [0.7473448103, 0.5051239434, 1.003962218, 1.037840792, 1.385431123, 1.034632571, 0.6025119647, 1.073093442, 1.800913913, 0.9476267794, 1.082250829, 1.826620157, 0.6390267517, 0.9539124115, 0.8139403816, 1.287240814, 0.8254925663, 0.681917779, 1.07119952, 0.9264179891, 1.120424329, 0.7076034711, 0.8886213348, 0.8882665521, 0.7869376208, 1.255097358, 0.8290016319, 0.9648666087, 1.053538451, 0.8589166061, 1.404991287, 1.014351928],
        .l2: [0.9569580799, 1.03744627, 1.400972611, 1.360311166, 1.720132588, 1.421354921, 0.8458076434, 1.440157332, 2.266233261, 1.259079602, 1.550297304, 2.444869822, 0.9015889082, 1.412310101, 1.132465713, 1.614833549, 1.078516218, 0.8912621363, 1.375132342, 1.273095547, 1.575583546, 0.9974857198, 1.148179521, 1.206256333, 1.090889521, 1.614317517, 1.177238475, 1.49908036, 1.365026748, 1.115492162, 1.555890776, 1.374473353],
        .variance: [0.3572445012, 0.821144564, 0.9547841216, 0.7733329582, 1.039436723, 0.9497852551, 0.3523699021, 0.9225236038, 1.89252227, 0.687284931, 1.232154876, 2.64084725, 0.4045073701, 1.084670931, 0.6199796453, 0.9506984782, 0.4817592551, 0.3293363383, 0.7435205453, 0.762521981, 1.227112835, 0.4942750888, 0.5286683367, 0.6660368725, 0.5707691288, 1.030751667, 0.6986467208, 1.316274355, 0.7533547554, 0.506585027, 0.4467955923, 0.8602671658],
        .entropy: [7.155209621, 4.092152369, 6.52235576, 6.980748598, 7.290054928, 6.352241112, 6.498599335, 6.936899611, 7.339185905, 6.855230014, 6.545759923, 6.559270428, 5.977818903, 6.132303744, 6.604605412, 7.288362414, 6.670830599, 6.718592048, 6.975982286, 6.419757491, 6.711702237, 5.98795161, 7.308878995, 6.996751413, 6.202884465, 7.102469328, 6.473050585, 6.06864958, 7.371987232, 6.754207606, 7.030565552, 6.812739469],
    ]

    @Test("l1, l2, variance, entropy equal numpy's per channel (every task gets the same row)", arguments: [ImportanceMeasure.l1, .l2, .variance, .entropy])
    func baselines(measure: ImportanceMeasure) throws {
        let scores = try ImportanceCalculator.scores(bundle: Self.mini, options: ImportanceOptions(measure: measure))
        let expected = try #require(Self.numpy[measure])
        #expect(scores.taskNames == ["left", "right", "sum_ge_10", "recon"])
        for row in scores.scores {
            for c in 0..<32 {
                // numpy's numbers are printed with 10 significant digits.
                #expect(abs(row[c] - expected[c]) <= 1e-9 * max(1, abs(expected[c])), "\(measure) channel \(c): \(row[c]) vs \(expected[c])")
            }
        }
    }

    @Test("random is seeded: the same seed gives the same scores, another seed others")
    func randomIsSeeded() throws {
        var o = ImportanceOptions(measure: .random)
        o.seed = 5
        let a = try ImportanceCalculator.scores(bundle: Self.mini, options: o)
        let b = try ImportanceCalculator.scores(bundle: Self.mini, options: o)
        o.seed = 6
        let c = try ImportanceCalculator.scores(bundle: Self.mini, options: o)
        #expect(a == b)
        #expect(a.scores[0] != c.scores[0])
    }

    /// A copy of the mini bundle whose channel 3 is constant (2.5) in both splits.
    static func withConstantChannel() -> FeatureBundle {
        var b = mini
        for split in BundleSplit.allCases {
            var t = b.features[split]!
            let hw = 32, c = 32
            for s in 0..<t.samples { for e in 0..<hw { t.values[(s * c + 3) * hw + e] = 2.5 } }
            b.features[split] = t
        }
        return b
    }

    @Test("a constant channel: MI exactly 0 for every estimator and task, entropy 0, variance 0, no NaN anywhere")
    func constantChannel() throws {
        let bundle = Self.withConstantChannel()
        for estimator in MIEstimatorKind.allCases {
            var o = ImportanceOptions(measure: .mi)
            o.estimator = estimator
            let scores = try ImportanceCalculator.scores(bundle: bundle, options: o)
            for row in scores.scores {
                #expect(row[3] == 0, "\(estimator)")
                #expect(row.allSatisfy { $0.isFinite }, "\(estimator)")
            }
        }
        for measure in [ImportanceMeasure.entropy, .variance, .taylor, .l1] {
            let scores = try ImportanceCalculator.scores(bundle: bundle, options: ImportanceOptions(measure: measure))
            #expect(scores.scores.allSatisfy { $0.allSatisfy { $0.isFinite } }, "\(measure)")
            if measure == .entropy || measure == .variance { #expect(scores.scores[0][3] == 0, "\(measure)") }
        }
    }

    @Test("k at least the smallest class: an error that names the neighbours parameter and the task")
    func neighboursTooLarge() throws {
        var o = ImportanceOptions(measure: .mi)
        // Smallest output class on the mini fit split (numpy np.bincount(...).min()): left 84,
        // right 80, sum_ge_10 441.
        o.neighbours = 80
        #expect { try ImportanceCalculator.scores(bundle: Self.mini, options: o) } throws: { error in
            let text = "\(error)"
            return text.contains("neighbours 80") && text.contains("right") && text.contains("80 samples")
        }
        o.neighbours = 79
        _ = try ImportanceCalculator.scores(bundle: Self.mini, options: o)
    }

    @Test("NaN in the features: the bundle does not load, and the message names the channel")
    func nanFeatures() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-nan-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Paths.mini, to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("fit/features.npy")
        var array = try NpyFile.read(file)
        var t = try array.floatTensor(file: "x")
        t.values[(7 * 32 + 5) * 32 + 3] = .nan  // sample 7, channel 5
        array = NpyArray(t)
        try NpyFile.write(array, to: file)
        #expect { try FeatureBundle(directory: dir.path) } throws: { error in
            "\(error)".contains("NaN in channel 5 (sample 7)")
        }
    }
}
