/// One scored allocation of a front: a row of `front.csv`.
public struct FrontPoint: Sendable, Equatable {
    public var method: String
    public var seed: Int
    public var bpe: Double
    public var bitsPerSample: Double
    /// Entropy-coded rate estimate over the split's symbols.
    public var entropyBitsPerSample: Double
    /// One primary metric per task, in the front's task order; empty for an unscored point.
    public var metrics: [Double]
    /// Non-dominated among the points of the same method and seed.
    public var nondominated: Bool
    public var bits: [Int]
    /// The size of a real coded bitstream per sample, when the evaluator measured it.
    public var codedBitsPerSample: Double?
    /// Bits per pixel of the network's input image (`bitsPerSample / inputPixels`), when the
    /// bundle gives its input size.
    public var bitsPerInputPixel: Double?

    public init(method: String, seed: Int, bpe: Double, bitsPerSample: Double, entropyBitsPerSample: Double,
                metrics: [Double], nondominated: Bool, bits: [Int], codedBitsPerSample: Double? = nil, bitsPerInputPixel: Double? = nil) {
        self.method = method
        self.seed = seed
        self.bpe = bpe
        self.bitsPerSample = bitsPerSample
        self.entropyBitsPerSample = entropyBitsPerSample
        self.metrics = metrics
        self.nondominated = nondominated
        self.bits = bits
        self.codedBitsPerSample = codedBitsPerSample
        self.bitsPerInputPixel = bitsPerInputPixel
    }
}
