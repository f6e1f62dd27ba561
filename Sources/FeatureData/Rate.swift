/// The rate of an allocation (docs/format.md, Rate).
public struct Rate: Sendable, Equatable {
    /// Fixed-length rate: `Σ_c b_c · H·W` bits per sample.
    public var bitsPerSample: Double
    /// Bits per element: `bitsPerSample / (C·H·W)`.
    public var bpe: Double
    /// Entropy-coded estimate: `Σ_c H·W · Ĥ(q_c)` over the split's symbols.
    public var entropyBitsPerSample: Double
    /// Side information, kept apart from `bpe`: two float32 (lo, hi) per kept channel, once per stream.
    public var sideInformationBits: Int

    /// Bits per pixel of a network input of `inputPixels` pixels (H·W): the field's rate unit.
    public func bitsPerInputPixel(_ inputPixels: Int) -> Double { bitsPerSample / Double(inputPixels) }

    /// The fixed-length rate of `bits` only (no entropy estimate: it is 0).
    public init(bits: [Int], channelShape: [Int]) {
        let perChannel = channelShape.dropFirst().reduce(1, *)
        self.init(bits: bits, channelSizes: [Int](repeating: perChannel, count: bits.count))
    }

    /// The fixed-length rate of `bits` over channels of `channelSizes[c]` elements each (several
    /// streams: each channel counts its own stream's H·W): `Σ_c b_c·S_c` bits per sample, `bpe` =
    /// that over `Σ_c S_c`. Integer sums, so the order of channels does not matter.
    public init(bits: [Int], channelSizes: [Int]) {
        precondition(bits.count == channelSizes.count, "\(bits.count) depths for \(channelSizes.count) channels")
        var total = 0
        for (b, size) in zip(bits, channelSizes) { total += b * size }
        bitsPerSample = Double(total)
        bpe = Double(total) / Double(channelSizes.reduce(0, +))
        entropyBitsPerSample = 0
        sideInformationBits = 64 * bits.filter { $0 > 0 }.count
    }

    /// Both rates of `bits` on `split` of every stream of `bundle`.
    public init(bits: [Int], quantiser: Quantiser, bundle: FeatureBundle, split: Split) {
        let sizes = bundle.channelSizes
        self.init(bits: bits, channelSizes: sizes)
        let entropies = quantiser.channelEntropies(bits: bits, bundle: bundle, split: split)
        var total = 0.0
        for (h, size) in zip(entropies, sizes) { total += h * Double(size) }
        entropyBitsPerSample = total
    }

    /// Both rates of `bits`, the entropy estimate over `features` (the split being coded).
    public init(bits: [Int], quantiser: Quantiser, features: Tensor<Float>) {
        self.init(bits: bits, channelShape: features.sampleShape)
        let perChannel = features.shape.dropFirst(2).reduce(1, *)
        let entropies = quantiser.plan(bits: bits).channelEntropies(features)
        entropyBitsPerSample = entropies.reduce(0) { $0 + $1 * Double(perChannel) }
    }
}

/// The entropy-coded rate of many allocations on one split: `Ĥ(q_c)` of every channel at every
/// depth 0…maxBits, computed once, so an allocation's estimate is a sum of table entries (the
/// same terms in the same order as `Rate(bits:quantiser:features:)`, so the same number).
public struct EntropyRateTable: Sendable {
    /// `entropies[b][c]`: bits per symbol of channel `c` at depth `b`.
    public let entropies: [[Double]]
    /// Elements per sample of each channel (its stream's H·W).
    public let channelSizes: [Int]

    public init(quantiser: Quantiser, features: Tensor<Float>, maxBits: Int) {
        let channels = quantiser.stats.channels
        entropies = (0...maxBits).map { b in quantiser.plan(bits: [Int](repeating: b, count: channels)).channelEntropies(features) }
        channelSizes = [Int](repeating: features.shape.dropFirst(2).reduce(1, *), count: channels)
    }

    /// The table of `split` of every stream of `bundle`.
    public init(quantiser: Quantiser, bundle: FeatureBundle, split: Split, maxBits: Int) {
        let parts = bundle.mapChannelBlocks(of: split, progress: "entropy table") { _, channels, block in
            let part = quantiser.slice(channels)
            return (0...maxBits).map { b in part.plan(bits: [Int](repeating: b, count: channels.count)).channelEntropies(block) }
        }
        entropies = (0...maxBits).map { b in parts.flatMap { $0[b] } }
        channelSizes = bundle.channelSizes
    }

    /// `Σ_c S_c · Ĥ(q_c)` for `bits` (each depth within 0…maxBits).
    public func bitsPerSample(_ bits: [Int]) -> Double {
        var total = 0.0
        for (c, b) in bits.enumerated() { total += entropies[b][c] * Double(channelSizes[c]) }
        return total
    }
}
