import Basics
import Foundation

/// What a channel's patches are compared against: one class per sample (classification), or one
/// symbol per sample per patch position (e.g. clustered aligned output patches of a dense task).
public enum PatchTarget: Sendable {
    case perSample(DiscreteLabels)
    case perPosition([DiscreteLabels])
}

/// Patch MI (Alvar & Bajić, arXiv 2405.09077): each channel's map is standardised (over all
/// samples and positions, so the scale of a channel does not matter), cut into non-overlapping
/// patches, and at every patch position the MI between the patch vectors (max-norm) and the
/// target at that position is estimated with Ross's k-NN estimator; the score is the mean over
/// positions (of raw estimates; clipped at 0 only when reported).
///
/// Patch vectors are held in float32 after standardisation and noise (see `floatNoiseScale`).
///
/// Cost: per (channel, position) and sample, exact k-d tree searches for patches of at most 8
/// values and 2048 samples or more (one per target for the k-th in-class neighbour, one count
/// for all targets), else one brute-force distance row shared by all targets; both give the same
/// bits (see `MultivariateDiscreteMI`). Work is spread over cores by (channel, position);
/// noise streams are per channel, so results do not depend on the thread count.
public enum PatchMI {
    /// Tie-breaking noise for patch vectors, relative to max(1, mean|x|) of the standardised
    /// channel. Patch vectors are searched in float32 (twice the SIMD width); scikit-learn's 1e-10
    /// would vanish in float32 rounding (ulp ≈ 1.2e-7 at 1) and leave the exact zeros of post-ReLU
    /// maps tied, so the noise is 1e-5 of a standard deviation: ~100 float32 steps, and far below
    /// any real difference between patches.
    public static let floatNoiseScale = 1e-5

    /// - Parameters:
    ///   - features: float32 `[samples, channels, height, width]`, row-major (a bundle's features).
    ///   - firstChannel: the global number of channel 0 (one stream of several): channel `c`'s
    ///     noise comes from stream `firstChannel + c`, as it would in one tensor of all channels.
    /// - Returns: `scores[target][channel]`.
    public static func estimate(
        features: [Float], samples n: Int, channels: Int, height: Int, width: Int,
        patch: PatchSize, targets: [PatchTarget], neighbours k: Int = 3, seed: UInt64 = 0, firstChannel: Int = 0,
        progress: ProgressLine? = nil
    ) throws -> [[MIEstimate]] {
        let mapSize = height * width
        guard features.count == n * channels * mapSize else {
            throw ImportanceError.shapeMismatch("\(features.count) values for [\(n), \(channels), \(height), \(width)]")
        }
        return try estimate(samples: n, channels: channels, height: height, width: width, patch: patch, targets: targets,
                            neighbours: k, seed: seed, firstChannel: firstChannel, progress: progress) { range in
            var block = [Float](repeating: 0, count: n * range.count * mapSize)
            for s in 0..<n {
                for (j, c) in range.enumerated() {
                    for e in 0..<mapSize { block[(s * range.count + j) * mapSize + e] = features[(s * channels + c) * mapSize + e] }
                }
            }
            return block
        }
    }

    /// The same, reading the features a group of channels at a time: `channelBlock(range)` gives
    /// channels `range` of every sample, float32 `[samples, range.count, height, width]` (a mapped
    /// file's channel block). Groups of about 32 M values are prepared and estimated in turn, so
    /// memory stays bounded by a group's maps and patch vectors whatever the number of channels;
    /// every (channel, position) is computed as in one pass over all channels.
    public static func estimate(
        samples n: Int, channels: Int, height: Int, width: Int,
        patch: PatchSize, targets: [PatchTarget], neighbours k: Int = 3, seed: UInt64 = 0, firstChannel: Int = 0,
        progress: ProgressLine? = nil, channelBlock: (Range<Int>) throws -> [Float]
    ) throws -> [[MIEstimate]] {
        let mapSize = height * width
        guard k >= 1 else { throw ImportanceError.invalidNeighbours(k) }
        let grid = try PatchGrid(mapHeight: height, mapWidth: width, patch: patch)
        let indices = try classIndices(targets, samples: n, positions: grid.positions, neighbours: k)
        let digamma = DigammaTable(limit: n + 1)
        let group = Swift.max(2 * ProcessInfo.processInfo.activeProcessorCount, (1 << 25) / Swift.max(1, n * mapSize))
        var raw: [[Double]] = []
        raw.reserveCapacity(channels * grid.positions)
        for first in stride(from: 0, to: channels, by: group) {
            let range = first..<Swift.min(channels, first + group)
            let block = try channelBlock(range)
            let width = range.count
            precondition(block.count == n * width * mapSize, "channel block of \(block.count) values for \(n) × \(width) × \(mapSize)")
            for j in 0..<width {
                for s in 0..<n {
                    let base = (s * width + j) * mapSize
                    for e in 0..<mapSize where !block[base + e].isFinite {
                        throw ImportanceError.nonFiniteValue(feature: first + j, sample: s)
                    }
                }
            }
            // Phase 1, per channel: standardise, add tie-breaking noise, lay out each position's
            // patch vectors dimension-major. Phase 2: every (channel, position) of the group.
            let prepared: [[MaxNormPoints<Float>]] = block.withUnsafeBufferPointer { fb in
                let f = UnsafeSlots(base: UnsafeMutablePointer(mutating: fb.baseAddress))
                return ParallelFor.map(width, initial: []) { j in
                    var maps = [Double](repeating: 0, count: n * mapSize)
                    for s in 0..<n {
                        let base = (s * width + j) * mapSize
                        for e in 0..<mapSize { maps[s * mapSize + e] = Double(f.base![base + e]) }
                    }
                    return preparedPatches(maps: &maps, samples: n, grid: grid, seed: seed, stream: UInt64(firstChannel + first + j))
                }
            }
            raw += rawEstimates(prepared: prepared, samples: n, indices: indices, digamma: digamma, progress: progress,
                                total: channels * grid.positions)
        }
        return averaged(raw, channels: channels, positions: grid.positions, targets: targets.count)
    }

    /// One channel's maps `[samples, height, width]`; noise stream `stream`. `scores[target]`.
    public static func estimate(
        channelMaps: [Double], samples n: Int, height: Int, width: Int,
        patch: PatchSize, targets: [PatchTarget], neighbours k: Int = 3, seed: UInt64 = 0, stream: UInt64 = 0
    ) throws -> [MIEstimate] {
        guard channelMaps.count == n * height * width else {
            throw ImportanceError.shapeMismatch("\(channelMaps.count) values for [\(n), \(height), \(width)]")
        }
        guard k >= 1 else { throw ImportanceError.invalidNeighbours(k) }
        if let s = channelMaps.firstIndex(where: { !$0.isFinite }) {
            throw ImportanceError.nonFiniteValue(feature: 0, sample: s / (height * width))
        }
        let grid = try PatchGrid(mapHeight: height, mapWidth: width, patch: patch)
        let indices = try classIndices(targets, samples: n, positions: grid.positions, neighbours: k)
        var maps = channelMaps
        let prepared = [preparedPatches(maps: &maps, samples: n, grid: grid, seed: seed, stream: stream)]
        return estimate(prepared: prepared, samples: n, grid: grid, indices: indices).map { $0[0] }
    }

    static func classIndices(_ targets: [PatchTarget], samples n: Int, positions: Int, neighbours k: Int) throws -> [[ClassIndex]] {
        // indices[position][target]
        var perTarget: [[ClassIndex]] = []
        for (t, target) in targets.enumerated() {
            switch target {
            case .perSample(let labels):
                guard labels.count == n else { throw ImportanceError.shapeMismatch("target \(t) has \(labels.count) labels for \(n) samples") }
                let index = ClassIndex(labels, neighbours: k)
                perTarget.append([ClassIndex](repeating: index, count: positions))
            case .perPosition(let labels):
                guard labels.count == positions else {
                    throw ImportanceError.shapeMismatch("target \(t) has symbols for \(labels.count) patch positions, the grid has \(positions)")
                }
                for l in labels where l.count != n {
                    throw ImportanceError.shapeMismatch("target \(t) has \(l.count) symbols for \(n) samples")
                }
                perTarget.append(labels.map { ClassIndex($0, neighbours: k) })
            }
        }
        return (0..<positions).map { p in perTarget.map { $0[p] } }
    }

    /// Standardises one channel (mean 0, sd 1 over all samples and positions; a constant channel
    /// becomes 0), adds the tie-breaking noise, and returns the patch vectors of every position.
    static func preparedPatches(maps: inout [Double], samples n: Int, grid: PatchGrid, seed: UInt64, stream: UInt64) -> [MaxNormPoints<Float>] {
        let count = maps.count
        var mean = 0.0
        for v in maps { mean += v }
        mean /= Double(max(count, 1))
        var ss = 0.0
        for v in maps { ss += (v - mean) * (v - mean) }
        let sd = (ss / Double(max(count, 1))).squareRoot()
        let scale = sd > 10 * Double.ulpOfOne ? 1 / sd : 1
        for i in 0..<count { maps[i] = (maps[i] - mean) * scale }
        var random = SeededRandom(seed: seed, stream: stream)
        maps.withUnsafeMutableBufferPointer { TieBreaking.addNoise($0, random: &random, scale: floatNoiseScale) }
        let mapSize = grid.mapHeight * grid.mapWidth
        return (0..<grid.positions).map { p in
            let offsets = grid.elementOffsets(position: p)
            var coords = [Float](repeating: 0, count: offsets.count * n)
            for (d, o) in offsets.enumerated() {
                for s in 0..<n { coords[d * n + s] = Float(maps[s * mapSize + o]) }
            }
            return MaxNormPoints(dimensionMajor: coords, count: n, dimensions: offsets.count)
        }
    }

    static func estimate(prepared: [[MaxNormPoints<Float>]], samples n: Int, grid: PatchGrid, indices: [[ClassIndex]]) -> [[MIEstimate]] {
        let raw = rawEstimates(prepared: prepared, samples: n, indices: indices, digamma: DigammaTable(limit: n + 1), progress: nil,
                               total: prepared.count * grid.positions)
        return averaged(raw, channels: prepared.count, positions: grid.positions, targets: indices.first?.count ?? 0)
    }

    /// Raw MI of every (channel, position) of `prepared`, `[c * positions + p][target]`, over the cores.
    static func rawEstimates(prepared: [[MaxNormPoints<Float>]], samples n: Int, indices: [[ClassIndex]], digamma: DigammaTable,
                             progress: ProgressLine?, total: Int) -> [[Double]] {
        let positions = indices.count
        return ParallelFor.map(prepared.count * positions, initial: [Double]()) { unit in
            let c = unit / positions, p = unit % positions
            defer { progress?.completeOne(of: total) }
            return MultivariateDiscreteMI.estimate(points: prepared[c][p], targets: indices[p], digamma: digamma)
        }
    }

    /// The score of each channel: the mean of its raw estimates over the positions.
    static func averaged(_ raw: [[Double]], channels: Int, positions: Int, targets: Int) -> [[MIEstimate]] {
        (0..<targets).map { t in
            (0..<channels).map { c in
                var sum = 0.0
                for p in 0..<positions { sum += raw[c * positions + p][t] }
                return MIEstimate(raw: sum / Double(positions))
            }
        }
    }
}
