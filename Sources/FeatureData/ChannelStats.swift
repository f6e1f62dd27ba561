import Basics
import CHalf

/// Per-channel statistics of a feature tensor, in float64: the quantiser's ranges (`lo`, `hi`),
/// the value a dropped channel is replaced by (`mean`), and the population variance.
///
/// docs/format.md takes them over the FIT split, over every sample and spatial position.
public struct ChannelStats: Sendable, Equatable {
    public var lo: [Double]
    public var hi: [Double]
    public var mean: [Double]
    /// Population variance (divided by the count, not count − 1).
    public var variance: [Double]

    public var channels: Int { lo.count }

    public init(lo: [Double], hi: [Double], mean: [Double], variance: [Double]) {
        self.lo = lo
        self.hi = hi
        self.mean = mean
        self.variance = variance
    }

    /// Statistics of `features` (`[N, C, …]`), per channel (axis 1).
    ///
    /// Each sample's run of a channel (`H·W` values) is summed by the C kernels of `cmoments.h`
    /// (eight accumulators in a fixed order), then the runs are added in sample order: the result
    /// depends on the channel's values alone, never on how channels are grouped into blocks.
    public init(features: Tensor<Float>) {
        precondition(features.rank >= 2, "features need a channel axis")
        let n = features.samples, c = features.shape[1]
        let perChannel = features.shape.dropFirst(2).reduce(1, *)
        var lo = [Float](repeating: .infinity, count: c)
        var hi = [Float](repeating: -.infinity, count: c)
        var sum = [Double](repeating: 0, count: c)
        var squares = [Double](repeating: 0, count: c)
        features.values.withUnsafeBufferPointer { x in
            guard let x = x.baseAddress else { return }
            if perChannel == 1 {
                for s in 0..<n {
                    for ch in 0..<c {
                        let v = x[s * c + ch]
                        lo[ch] = Swift.min(lo[ch], v)
                        hi[ch] = Swift.max(hi[ch], v)
                        sum[ch] += Double(v)
                    }
                }
            } else {
                for s in 0..<n {
                    for ch in 0..<c {
                        sum[ch] += mipareto_float_range_sum(x + (s * c + ch) * perChannel, perChannel, &lo[ch], &hi[ch])
                    }
                }
            }
        }
        let count = Double(n * perChannel)
        let mean = sum.map { $0 / count }
        // Second pass around the mean: no cancellation, unlike E[x²] − E[x]².
        features.values.withUnsafeBufferPointer { x in
            guard let x = x.baseAddress else { return }
            if perChannel == 1 {
                for s in 0..<n {
                    for ch in 0..<c {
                        let d = Double(x[s * c + ch]) - mean[ch]
                        squares[ch] += d * d
                    }
                }
            } else {
                for s in 0..<n {
                    for ch in 0..<c {
                        squares[ch] += mipareto_float_squares_about(x + (s * c + ch) * perChannel, perChannel, mean[ch])
                    }
                }
            }
        }
        self.init(lo: lo.map(Double.init), hi: hi.map(Double.init), mean: mean, variance: squares.map { $0 / count })
    }
}

extension ChannelStats {
    /// The statistics of every stream's `split`, in global channel order.
    /// Channel blocks at a time (bounded memory); a whole fit or eval split's are kept by its source.
    public init(of bundle: FeatureBundle, split: Split = .fit) {
        let parts: [ChannelStats]
        if split == .fit || split == .eval {
            let progress = ProgressLine("channel statistics")
            parts = bundle.streams.map { stream in
                FeatureBundle.readOrStop { try stream.sources[split.source]!.channelStatistics { progress.update(fraction: $0) } }
            }
            progress.finish()
        } else {
            parts = bundle.mapChannelBlocks(of: split, progress: "channel statistics") { _, _, block in ChannelStats(features: block) }
        }
        self.init(lo: parts.flatMap(\.lo), hi: parts.flatMap(\.hi), mean: parts.flatMap(\.mean), variance: parts.flatMap(\.variance))
    }

    /// The statistics of the channels in `range` (e.g. one stream's), renumbered from 0.
    public func slice(_ range: Range<Int>) -> ChannelStats {
        ChannelStats(lo: Array(lo[range]), hi: Array(hi[range]), mean: Array(mean[range]), variance: Array(variance[range]))
    }
}
