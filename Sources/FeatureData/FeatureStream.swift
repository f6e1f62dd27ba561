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
    /// Features per split: `[N, C_s, H_s, W_s]` or `[N, C_s]`.
    public var features: [BundleSplit: Tensor<Float>]

    public init(name: String, firstChannel: Int, features: [BundleSplit: Tensor<Float>]) {
        self.name = name
        self.firstChannel = firstChannel
        self.features = features
    }

    /// The per-sample shape: `[C_s, H_s, W_s]` or `[C_s]`.
    public var sampleShape: [Int] { features[.fit]!.sampleShape }
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
}
