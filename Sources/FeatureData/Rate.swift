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
        let total = bits.reduce(0, +) * perChannel
        bitsPerSample = Double(total)
        bpe = Double(total) / Double(channelShape.reduce(1, *))
        entropyBitsPerSample = 0
        sideInformationBits = 64 * bits.filter { $0 > 0 }.count
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
    public let elementsPerChannel: Int

    public init(quantiser: Quantiser, features: Tensor<Float>, maxBits: Int) {
        let channels = quantiser.stats.channels
        entropies = (0...maxBits).map { b in quantiser.plan(bits: [Int](repeating: b, count: channels)).channelEntropies(features) }
        elementsPerChannel = features.shape.dropFirst(2).reduce(1, *)
    }

    /// `Σ_c H·W · Ĥ(q_c)` for `bits` (each depth within 0…maxBits).
    public func bitsPerSample(_ bits: [Int]) -> Double {
        let perChannel = Double(elementsPerChannel)
        var total = 0.0
        for (c, b) in bits.enumerated() { total += entropies[b][c] * perChannel }
        return total
    }
}
