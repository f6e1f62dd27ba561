import Foundation

/// The one random number generator of MIPareto: xoshiro256** (Blackman & Vigna, 2018), seeded by
/// SplitMix64 from a 64-bit seed.
///
/// Why not the system generator: results must be the same for the same `--seed` on every machine
/// and Swift version. Every derived draw below (unit doubles, bounded integers, normals) is
/// defined here in integer and IEEE arithmetic only, so the streams are identical everywhere.
public struct SeededRandom: RandomNumberGenerator, Sendable, Codable, Equatable {
    // The four state words live in stored properties, not an array: `next()` runs millions of
    // times per NSGA-II run, and an array would cost a uniqueness check and a bounds check per word.
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The generator state; saved in checkpoints so a resumed run continues the same stream.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    public init(seed: UInt64) {
        var sm = seed
        var s: [UInt64] = []
        for _ in 0..<4 { s.append(SeededRandom.splitMix64(&sm)) }
        // xoshiro must not start from the all-zero state (SplitMix64 never yields four zeros, but be explicit).
        if s.allSatisfy({ $0 == 0 }) { s[0] = 0x9E37_79B9_7F4A_7C15 }
        (s0, s1, s2, s3) = (s[0], s[1], s[2], s[3])
    }

    /// Restores a generator from a saved state (checkpoints).
    public init?(state: [UInt64]) {
        guard state.count == 4, !state.allSatisfy({ $0 == 0 }) else { return nil }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    private enum CodingKeys: String, CodingKey { case state }

    /// Encoded as `{"state": [s0, s1, s2, s3]}`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let words = try c.decode([UInt64].self, forKey: .state)
        guard let restored = SeededRandom(state: words) else {
            throw DecodingError.dataCorruptedError(forKey: .state, in: c,
                                                   debugDescription: "RNG state must be four words, not all zero")
        }
        self = restored
    }

    /// An independent stream for a sub-task (e.g. seed `s`, stream `i`): the seed and the stream
    /// number are mixed by SplitMix64 so neighbouring seeds give unrelated streams.
    public init(seed: UInt64, stream: UInt64) {
        var sm = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        self.init(seed: SeededRandom.splitMix64(&sm))
    }

    static func splitMix64(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1): the top 53 bits as a double.
    @inline(__always)
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in `0..<bound` without modulo bias (Lemire's multiply-and-reject).
    @inline(__always)
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Uniform integer in a closed range.
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextInt(below: range.upperBound - range.lowerBound + 1)
    }

    /// Standard normal by the Box–Muller transform (two uniforms per draw; no cached spare, so the
    /// stream position depends only on how many normals were drawn).
    public mutating func nextNormal() -> Double {
        var u1 = nextUnit()
        while u1 == 0 { u1 = nextUnit() }
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle driven by this generator (the standard library's `shuffle(using:)`
    /// does not document its draw sequence, so it is not used for reproducible results).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}
