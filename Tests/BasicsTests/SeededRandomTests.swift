@testable import Basics
import Testing

@Suite struct SeededRandomTests {
    /// SplitMix64 from seed 0: the first outputs given in Vigna's reference (splitmix64.c) are
    /// 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F.
    @Test func splitMixMatchesReference() {
        var x: UInt64 = 0
        #expect(SeededRandom.splitMix64(&x) == 0xE220_A839_7B1D_CDAF)
        #expect(SeededRandom.splitMix64(&x) == 0x6E78_9E6A_A1B9_65F4)
        #expect(SeededRandom.splitMix64(&x) == 0x06C4_5D18_8009_454F)
    }

    /// xoshiro256** from state (1, 2, 3, 4): first outputs 11520, 0, 1509978240, 1215971899390074240
    /// (hand-computed from the reference C code, xoshiro256starstar.c).
    @Test func xoshiroMatchesReference() {
        var r = SeededRandom(state: [1, 2, 3, 4])!
        #expect(r.next() == 11520)
        #expect(r.next() == 0)
        #expect(r.next() == 1_509_978_240)
        #expect(r.next() == 1_215_971_899_390_074_240)
    }

    @Test func boundedIntegersAreUniformAndInRange() {
        var r = SeededRandom(seed: 7)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[r.nextInt(below: 10)] += 1 }
        // Each count is Binomial(1e5, 0.1): sd ≈ 95, so ±600 is > 6 sd.
        for c in counts { #expect(abs(c - 10_000) < 600) }
    }

    @Test func normalsHaveUnitVariance() {
        var r = SeededRandom(seed: 11)
        let n = 200_000
        var s = 0.0, s2 = 0.0
        for _ in 0..<n { let z = r.nextNormal(); s += z; s2 += z * z }
        let mean = s / Double(n), variance = s2 / Double(n) - mean * mean
        // Standard errors: mean 0.0022, variance 0.0032.
        #expect(abs(mean) < 0.015)
        #expect(abs(variance - 1) < 0.02)
    }
}
