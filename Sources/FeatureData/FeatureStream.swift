import Basics

/// One split tensor of a bundle (docs/format.md, `streams`): its features per split and where its
/// channels sit in the bundle's global channel numbering.
///
/// A bundle with `features` has one stream named `features`. Channels are numbered stream after
/// stream, so an allocation (one depth per global channel) gives stream `s` the depths
/// `bits[s.channelRange]`.
public struct FeatureStream: Sendable {
    public var name: String
    /// The global number of the stream's first channel.
    public var firstChannel: Int
    /// Where each split's features live (`[N, C_s, H_s, W_s]` or `[N, C_s]`): per-channel
    /// computations read channel blocks from these, without a whole float32 copy.
    public var sources: [BundleSplit: FeatureSource]

    public init(name: String, firstChannel: Int, sources: [BundleSplit: FeatureSource]) {
        self.name = name
        self.firstChannel = firstChannel
        self.sources = sources
    }

    public init(name: String, firstChannel: Int, features: [BundleSplit: Tensor<Float>]) {
        self.init(name: name, firstChannel: firstChannel, sources: features.mapValues { FeatureSource($0) })
    }

    /// Each split's whole float32 tensor (made from the file on first use and kept: see
    /// `FeatureSource.tensor`); setting one replaces that split's source by the tensor.
    public var features: FeatureSplits {
        get { FeatureSplits(sources: sources) }
        set { sources = newValue.sources }
    }

    /// The per-sample shape: `[C_s, H_s, W_s]` or `[C_s]`.
    public var sampleShape: [Int] { sources[.fit]!.sampleShape }
    public var channels: Int { sampleShape[0] }
    /// Elements per channel per sample (`H_s·W_s`, or 1 for vector features).
    public var elementsPerChannel: Int { sampleShape.dropFirst().reduce(1, *) }
    /// The stream's channels in the global numbering.
    public var channelRange: Range<Int> { firstChannel..<(firstChannel + channels) }

    /// The samples of `split`: a copy for `search`/`report`, the stored tensor otherwise.
    public func features(for split: Split) -> Tensor<Float> {
        let source = features[split.source]!
        switch split {
        case .fit, .eval: return source
        case .search, .report: return source.selectingSamples(split.sampleIndices(sourceCount: source.samples))
        }
    }

    /// The sample indices of `split` in its source split's file (nil: every sample, in order).
    public func sampleIndices(of split: Split) -> [Int]? {
        switch split {
        case .fit, .eval: return nil
        case .search, .report: return split.sampleIndices(sourceCount: sources[split.source]!.samples)
        }
    }

    /// `perBlock` over channel blocks of `split` (see `FeatureSource.mapChannelBlocks`): what
    /// per-channel statistics use, in bounded memory; results in channel order.
    public func mapChannelBlocks<Result: Sendable>(of split: Split, progress: (@Sendable (Double) -> Void)? = nil,
                                                   _ perBlock: @Sendable (Range<Int>, Tensor<Float>) -> Result) throws -> [Result] {
        try sources[split.source]!.mapChannelBlocks(samples: sampleIndices(of: split), progress: progress, perBlock)
    }
}

/// A stream's features per split, read as whole float32 tensors (`features[.fit]!`), with the
/// sources underneath.
public struct FeatureSplits: Sendable {
    public var sources: [BundleSplit: FeatureSource]

    public subscript(split: BundleSplit) -> Tensor<Float>? {
        get { sources[split]?.tensor }
        set { sources[split] = newValue.map { FeatureSource($0) } }
    }
}
