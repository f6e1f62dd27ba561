import Basics
import Foundation
import MultiObjective
import Testing
@testable import Importance

@Suite("Patch MI")
struct PatchMITests {
    /// Maps of 1×2: position 0 carries the class (Z | y ~ N(μ_y, 1)), position 1 is noise.
    /// With 1×1 patches the score is the mean over the two positions: (I_quadrature + 0) / 2
    /// (the k-NN estimator is invariant to the channel's standardisation).
    @Test func averagesOverPositions() throws {
        let means: [Double] = [-1, 0, 1.5]
        let truth = quadratureMI(means: means)
        var random = SeededRandom(seed: 3)
        let n = 5000
        let y = (0..<n).map { _ in random.nextInt(below: 3) }
        var maps: [Double] = []
        for s in 0..<n { maps += [means[y[s]] + random.nextNormal(), random.nextNormal()] }
        let one = try PatchMI.estimate(channelMaps: maps, samples: n, height: 1, width: 2,
                                       patch: PatchSize(height: 1, width: 1), targets: [.perSample(DiscreteLabels(y))])
        print("patch 1x1 over 2 positions: \(one[0].raw), expected \(truth / 2)")
        #expect(abs(one[0].raw - truth / 2) < 0.01)
    }

    /// A 2-element patch: element 0 carries the class, element 1 is independent noise, so the true
    /// MI of the patch vector is the 1-D quadrature value. The max-norm estimator in 2-D has a
    /// larger finite-sample bias than in 1-D (Kraskov et al. 2004, Ross 2014); bar 0.03 nats.
    @Test func twoDimensionalPatch() throws {
        let means: [Double] = [-1, 0, 1.5]
        let truth = quadratureMI(means: means)
        var random = SeededRandom(seed: 4)
        let n = 5000
        let y = (0..<n).map { _ in random.nextInt(below: 3) }
        var maps: [Double] = []
        for s in 0..<n { maps += [means[y[s]] + random.nextNormal(), random.nextNormal()] }
        let whole = try PatchMI.estimate(channelMaps: maps, samples: n, height: 1, width: 2,
                                         patch: PatchSize(height: 1, width: 2), targets: [.perSample(DiscreteLabels(y))])
        print("patch 1x2 (one position): \(whole[0].raw), truth \(truth)")
        #expect(abs(whole[0].raw - truth) < 0.03)
    }

    /// The bundle-shaped entry point (all channels, in parallel) gives channel c exactly what the
    /// single-channel entry point gives with noise stream c, for every target.
    @Test func channelsMatchSingleChannelCalls() throws {
        var random = SeededRandom(seed: 5)
        let (n, c, h, w) = (300, 3, 2, 4)
        let y1 = (0..<n).map { _ in random.nextInt(below: 4) }
        let y2 = (0..<n).map { _ in random.nextInt(below: 2) }
        var features = [Float](repeating: 0, count: n * c * h * w)
        for s in 0..<n { for ch in 0..<c { for e in 0..<(h * w) {
            let v = Double(y1[s] * (ch + e % 2)) * 0.3 + random.nextNormal()
            features[((s * c) + ch) * h * w + e] = Float(max(0, v))  // post-ReLU: ties at 0
        } } }
        let patch = PatchSize(height: 2, width: 2)
        let grid = try PatchGrid(mapHeight: h, mapWidth: w, patch: patch)
        let perPosition = (0..<grid.positions).map { p in DiscreteLabels((0..<n).map { (y2[$0] + p) % 2 }) }
        let targets: [PatchTarget] = [.perSample(DiscreteLabels(y1)), .perPosition(perPosition)]
        let all = try PatchMI.estimate(features: features, samples: n, channels: c, height: h, width: w, patch: patch, targets: targets, seed: 9)
        for ch in 0..<c {
            var maps = [Double]()
            for s in 0..<n { for e in 0..<(h * w) { maps.append(Double(features[((s * c) + ch) * h * w + e])) } }
            let single = try PatchMI.estimate(channelMaps: maps, samples: n, height: h, width: w, patch: patch, targets: targets, seed: 9, stream: UInt64(ch))
            #expect(single[0].raw == all[0][ch].raw && single[1].raw == all[1][ch].raw)
        }
    }

    /// Aligned output patches: a [1, 2, 4] output over a [1, 2] feature grid (scale 2) with 1×1
    /// feature patches → two positions, each a 2×2 output block. Block 0 takes one of two far
    /// apart patterns by y, block 1 is constant: clustering into 2 symbols recovers y at position
    /// 0, and one symbol at position 1.
    @Test func alignedOutputClusters() throws {
        var random = SeededRandom(seed: 6)
        let n = 200
        let y = (0..<n).map { _ in random.nextInt(below: 2) }
        var outputs: [Float] = []
        for s in 0..<n {
            let a = Float(y[s] * 5) + Float(0.1 * random.nextNormal())
            outputs += [a, a, 3, 3, a, a, 3, 3]  // rows of width 4: block 0 = columns 0-1
        }
        let grid = try PatchGrid(mapHeight: 1, mapWidth: 2, patch: PatchSize(height: 1, width: 1))
        let symbols = try OutputClustering.alignedPatches(outputs, samples: n, outputChannels: 1, outputHeight: 2, outputWidth: 4, grid: grid, clusters: 2, seed: 1)
        #expect(symbols.count == 2)
        let first = symbols[0].ids[0]
        for s in 0..<n { #expect((symbols[0].ids[s] == first) == (y[s] == y[0])) }
        #expect(symbols[1].classCount == 1)
    }

    @Test func badInput() throws {
        #expect(throws: ImportanceError.nonFiniteValue(feature: 1, sample: 0)) {
            try PatchMI.estimate(features: [0, 1, .nan, 2], samples: 1, channels: 2, height: 1, width: 2,
                                 patch: PatchSize(height: 1, width: 1), targets: [.perSample(DiscreteLabels([0]))])
        }
        #expect(throws: ImportanceError.self) {
            try PatchGrid(mapHeight: 4, mapWidth: 8, patch: PatchSize(height: 3, width: 3))
        }
    }

    /// The default patch always tiles the map: whole maps up to 8×8, 4 on a side 4 divides, else
    /// the divisor nearest 4 (14 = 2·7 → 2; 6 → 3; 10 → 5; 9 → 3; 13 → 1; 7 ties 1 and 7 → 7).
    @Test func defaultPatchTilesTheMap() throws {
        let cases: [(Int, Int, Int, Int)] = [(4, 8, 4, 8), (8, 8, 8, 8), (14, 14, 2, 2), (28, 28, 4, 4), (56, 56, 4, 4),
                                             (16, 6, 4, 3), (10, 5, 5, 5), (9, 12, 3, 4), (13, 13, 1, 1), (16, 7, 4, 7)]
        for (h, w, ph, pw) in cases {
            let patch = PatchSize.defaultSize(mapHeight: h, mapWidth: w)
            #expect(patch == PatchSize(height: ph, width: pw), "\(h)x\(w): \(patch)")
            _ = try PatchGrid(mapHeight: h, mapWidth: w, patch: patch)
        }
    }

    @Test func constantChannelGivesZero() throws {
        let n = 400
        let y = (0..<n).map { $0 % 4 }
        let scores = try PatchMI.estimate(channelMaps: [Double](repeating: 0, count: n * 4), samples: n, height: 2, width: 2,
                                          patch: PatchSize(height: 2, width: 2), targets: [.perSample(DiscreteLabels(y))])
        #expect(scores[0].nats.isFinite && scores[0].nats < 0.02)
    }
}
