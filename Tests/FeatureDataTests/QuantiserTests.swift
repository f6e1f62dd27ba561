import Testing
@testable import FeatureData

@Suite("channel statistics, quantiser, rate")
struct QuantiserTests {
    /// Two samples, two channels, 1×2 pixels: channel 0 holds 0, 1, 2, 3; channel 1 is constant 5.
    let features = Tensor<Float>(shape: [2, 2, 1, 2], values: [0, 1, 5, 5, 2, 3, 5, 5])

    @Test("statistics per channel over samples and pixels (hand computed)")
    func stats() {
        let s = ChannelStats(features: features)
        #expect(s.lo == [0, 5])
        #expect(s.hi == [3, 5])
        #expect(s.mean == [1.5, 5])
        // Population variance of 0, 1, 2, 3: (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
        #expect(s.variance == [1.25, 0])
    }

    @Test("levels, half away from zero, clipping, b = 0 and hi == lo (hand computed)")
    func quantise() {
        let q = Quantiser(stats: ChannelStats(features: features))
        // Channel 0 at 1 bit: L = 1, q = round(x/3): 0→0, 1→0 (0.33), 2→1 (0.67), 3→1 → x̂ 0, 0, 3, 3.
        // Channel 1 (hi == lo) reconstructs as lo = 5.
        #expect(q.plan(bits: [1, 4]).quantise(features).values == [0, 0, 5, 5, 3, 3, 5, 5])
        // 2 bits: L = 3, step 1: every value is a level.
        #expect(q.plan(bits: [2, 4]).quantise(features).values == [0, 1, 5, 5, 2, 3, 5, 5])
        // b = 0: the fit mean 1.5.
        #expect(q.plan(bits: [0, 0]).quantise(features).values == [1.5, 1.5, 5, 5, 1.5, 1.5, 5, 5])
        // Half-way values go up (away from zero): with L = 2 the levels are 0, 1.5, 3 and
        // x = 0.75 gives v = 0.5 → q = 1 → 1.5; x = 2.25 gives v = 1.5 → q = 2 → 3.
        // Outside the fit range: clipped (−1 → 0, 7 → 3).
        let eval = Tensor<Float>(shape: [1, 2, 1, 4], values: [0.75, 2.25, -1, 7, 5, 5, 5, 5])
        let stats = ChannelStats(lo: [0, 5], hi: [3, 5], mean: [1.5, 5], variance: [1.25, 0])
        var plan = Quantiser(stats: stats).plan(bits: [2, 1])
        plan.codes[0].levels = 2  // L = 2 is no power of two minus one: set by hand to hit exact halves.
        #expect(plan.codes[0].symbol(0.75) == 1)
        #expect(plan.codes[0].symbol(2.25) == 2)
        let twoBits = Quantiser(stats: stats).plan(bits: [2, 1])
        #expect(twoBits.quantise(eval).values == [1, 2, 0, 3, 5, 5, 5, 5])
        #expect(twoBits.symbols(eval).values == [1, 2, 0, 3, 0, 0, 0, 0])
    }

    @Test("unquantised channels pass through")
    func passThrough() {
        let q = Quantiser(stats: ChannelStats(features: features))
        #expect(q.plan(depths: [nil, 0]).quantise(features).values == [0, 1, 5, 5, 2, 3, 5, 5])
    }

    @Test("user bit vectors are validated")
    func validation() {
        #expect(Quantiser.validate(bits: [1, 2], channels: 2) == nil)
        #expect(Quantiser.validate(bits: [1], channels: 2) == "1 bit depths for 2 channels")
        #expect(Quantiser.validate(bits: [1, 17], channels: 2) == "bit depth 17 for channel 1 is outside 0…16")
        #expect(Quantiser.validate(bits: [-1, 2], channels: 2) != nil)
    }

    @Test("rate: fixed bits, bpe, entropy estimate, side information (hand computed)")
    func rate() {
        let q = Quantiser(stats: ChannelStats(features: features))
        // Channel 0 at 1 bit has symbols 0, 0, 1, 1 → entropy 1 bit; channel 1 (constant) 0 bits.
        let r = Rate(bits: [1, 3], quantiser: q, features: features)
        #expect(r.bitsPerSample == 8)          // (1 + 3) bits × 2 pixels
        #expect(r.bpe == 2)                    // 8 / (2 channels × 2 pixels)
        #expect(r.entropyBitsPerSample == 2)   // 1 bit × 2 pixels + 0
        #expect(r.sideInformationBits == 128)  // two float32 per kept channel
        let dropped = Rate(bits: [0, 2], quantiser: q, features: features)
        #expect(dropped.bitsPerSample == 4 && dropped.entropyBitsPerSample == 0 && dropped.sideInformationBits == 64)
    }

    @Test("search and report: even and odd eval indices")
    func splits() {
        #expect(Split.search.sampleIndices(sourceCount: 5) == [0, 2, 4])
        #expect(Split.report.sampleIndices(sourceCount: 5) == [1, 3])
        #expect(Split.eval.sampleIndices(sourceCount: 3) == [0, 1, 2])
        #expect(Split.report.source == .eval && Split.fit.source == .fit)
    }
}
