import Basics

/// The feature-bundle/1 quantiser (docs/format.md, normative).
///
/// Per channel `c` with fit-split range `[lo, hi]` and `b ≥ 1` bits, `L = 2^b − 1`:
/// `q = round((x − lo)/(hi − lo) · L)` clipped to `[0, L]` (half away from zero), computed in
/// float64 from the float32 value; `x̂ = lo + q·(hi − lo)/L`, fed on as float32. `b = 0` drops
/// the channel (`x̂ = mean`); a channel with `hi == lo` reconstructs as `lo`.
///
/// It lives in FeatureData, not Allocation, because Importance (the entropy measure) and
/// Allocation both need it and Importance may not import Allocation.
public struct Quantiser: Sendable {
    public static let maximumBits = 16

    /// The one check of a largest bit depth (`maxBits`, 1…16) for every command and run.
    public static func checkMaxBits(_ maxBits: Int) throws(ParameterError) {
        guard (1...maximumBits).contains(maxBits) else { throw ParameterError("maxBits", value: String(maxBits), "must be 1…\(maximumBits)") }
    }

    public var stats: ChannelStats

    public init(stats: ChannelStats) { self.stats = stats }

    /// The plan for per-channel depths: `nil` keeps a channel unquantised (full float32),
    /// otherwise 0…16 bits. Depths outside 0…16 are a programming error here; user input is
    /// validated before (see `Quantiser.validate`).
    public func plan(depths: [Int?]) -> QuantisationPlan {
        precondition(depths.count == stats.channels, "\(depths.count) depths for \(stats.channels) channels")
        var codes: [QuantisationPlan.ChannelCode] = []
        codes.reserveCapacity(depths.count)
        for (c, depth) in depths.enumerated() {
            let lo = stats.lo[c], range = stats.hi[c] - stats.lo[c]
            guard let b = depth else { codes.append(.init(mode: .unquantised, lo: lo, range: range, levels: 0, constant: 0)); continue }
            precondition((0...Self.maximumBits).contains(b), "bit depth \(b) outside 0…16")
            if b == 0 {
                codes.append(.init(mode: .constant, lo: lo, range: range, levels: 0, constant: Float(stats.mean[c])))
            } else if range == 0 {
                codes.append(.init(mode: .constant, lo: lo, range: range, levels: Double((1 << b) - 1), constant: Float(lo)))
            } else {
                codes.append(.init(mode: .quantised, lo: lo, range: range, levels: Double((1 << b) - 1), constant: 0))
            }
        }
        return QuantisationPlan(codes: codes, depths: depths)
    }

    public func plan(bits: [Int]) -> QuantisationPlan { plan(depths: bits.map { $0 }) }

    /// `nil` when `bits` suits `channels` channels with depths in 0…`maxBits`, else what is
    /// wrong (for an error message).
    public static func validate(bits: [Int], channels: Int, maxBits: Int = maximumBits) -> String? {
        guard bits.count == channels else { return "\(bits.count) bit depths for \(channels) channels" }
        if let bad = bits.firstIndex(where: { !(0...maxBits).contains($0) }) {
            return "bit depth \(bits[bad]) for channel \(bad) is outside 0…\(maxBits)"
        }
        return nil
    }
}

/// A quantiser applied to one bit vector: per-channel constants ready for the hot loop.
public struct QuantisationPlan: Sendable {
    public struct ChannelCode: Sendable {
        public enum Mode: UInt8, Sendable { case unquantised, constant, quantised }
        public var mode: Mode
        public var lo: Double
        public var range: Double
        /// `L = 2^b − 1`.
        public var levels: Double
        /// The value of a constant channel (b = 0: the mean; hi == lo: lo).
        public var constant: Float

        /// The quantisation symbol `q` of `x` (0 for a constant channel).
        @inline(__always) public func symbol(_ x: Float) -> Double {
            // Same operation order as docs/format.md and the reference: ((x − lo) / (hi − lo)) · L.
            let v = Swift.min(Swift.max((Double(x) - lo) / range * levels, 0), levels)
            return Self.roundHalfAwayFromZero(nonNegative: v)
        }

        /// `v.rounded(.toNearestOrAwayFromZero)` for `0 ≤ v < 2^31`, without a libm call: the
        /// truncation is exact and so is `v − trunc(v)`, so the half-way test is exact too.
        @inline(__always) static func roundHalfAwayFromZero(nonNegative v: Double) -> Double {
            let t = Double(Int32(v))
            return v - t >= 0.5 ? t + 1 : t
        }

        @inline(__always) public func reconstruct(_ x: Float) -> Float {
            switch mode {
            case .unquantised: return x
            case .constant: return constant
            case .quantised: return Float(lo + symbol(x) * range / levels)
            }
        }
    }

    public var codes: [ChannelCode]
    public var depths: [Int?]
    /// x̂ for every symbol of every quantised channel (`levels + 1` entries from
    /// `tableOffsets[c]`), computed once per plan exactly as docs/format.md says.
    let table: [Float]
    let tableOffsets: [Int]
    /// `L / (hi − lo)` per channel: the fast path multiplies by it (see `reconstruct`).
    let scales: [Double]

    init(codes: [ChannelCode], depths: [Int?]) {
        self.codes = codes
        self.depths = depths
        var table: [Float] = []
        var offsets: [Int] = []
        var scales: [Double] = []
        for code in codes {
            offsets.append(table.count)
            scales.append(code.mode == .quantised ? code.levels / code.range : 0)
            guard code.mode == .quantised else { continue }
            for q in 0...Int(code.levels) { table.append(Float(code.lo + Double(q) * code.range / code.levels)) }
        }
        self.table = table
        tableOffsets = offsets
        self.scales = scales
    }

    /// Quantises `count` consecutive values of channel `channel` from `source` into `destination`
    /// (written every `destinationStride` elements, so the caller can write channels-last).
    ///
    /// Fast and still exact: `v` is first computed with a multiplication by `L/(hi − lo)`, which
    /// differs from docs/format.md's `(x − lo)/(hi − lo)·L` by a few ulps. That can change the rounded
    /// symbol only when `v` sits next to a half-integer, so those rare values (within 1e-9) are
    /// recomputed with the normative division.
    @inline(__always)
    public func reconstruct(channel: Int, source: UnsafePointer<Float>, count: Int, destination: UnsafeMutablePointer<Float>, destinationStride: Int) {
        let code = codes[channel]
        switch code.mode {
        case .unquantised:
            for k in 0..<count { destination[k * destinationStride] = source[k] }
        case .constant:
            for k in 0..<count { destination[k * destinationStride] = code.constant }
        case .quantised:
            let lo = code.lo, levels = code.levels, scale = scales[channel]
            table.withUnsafeBufferPointer { table in
                let levelsTable = table.baseAddress! + tableOffsets[channel]
                for k in 0..<count {
                    let x = source[k]
                    let v = Swift.min(Swift.max((Double(x) - lo) * scale, 0), levels)
                    let t = Double(Int32(v))
                    let fraction = v - t
                    var q = fraction >= 0.5 ? t + 1 : t
                    if abs(fraction - 0.5) < 1e-9 { q = code.symbol(x) }
                    destination[k * destinationStride] = levelsTable[Int(q)]
                }
            }
        }
    }

    /// x̂ of a whole feature tensor `[N, C, …]`, same shape.
    public func quantise(_ features: Tensor<Float>) -> Tensor<Float> {
        let n = features.samples, c = features.shape[1]
        let perChannel = features.shape.dropFirst(2).reduce(1, *)
        var out = [Float](repeating: 0, count: features.count)
        features.values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                for s in 0..<n {
                    for ch in 0..<c {
                        let base = (s * c + ch) * perChannel
                        reconstruct(channel: ch, source: x.baseAddress! + base, count: perChannel, destination: y.baseAddress! + base, destinationStride: 1)
                    }
                }
            }
        }
        return Tensor(shape: features.shape, values: out)
    }

    /// The symbols `q` (0…L) of a tensor `[N, C, …]`; constant channels give 0 everywhere.
    /// Unquantised channels have no symbols (0 as well).
    public func symbols(_ features: Tensor<Float>) -> Tensor<UInt16> {
        let n = features.samples, c = features.shape[1]
        let perChannel = features.shape.dropFirst(2).reduce(1, *)
        var out = [UInt16](repeating: 0, count: features.count)
        features.values.withUnsafeBufferPointer { x in
            for s in 0..<n {
                for ch in 0..<c where codes[ch].mode == .quantised {
                    let base = (s * c + ch) * perChannel
                    for k in 0..<perChannel { out[base + k] = UInt16(codes[ch].symbol(x[base + k])) }
                }
            }
        }
        return Tensor(shape: features.shape, values: out)
    }

    /// Empirical entropy (bits per symbol) of each channel's symbols over `features`.
    public func channelEntropies(_ features: Tensor<Float>) -> [Double] {
        let n = features.samples, c = features.shape[1]
        let perChannel = features.shape.dropFirst(2).reduce(1, *)
        var entropies = [Double](repeating: 0, count: c)
        features.values.withUnsafeBufferPointer { x in
            for ch in 0..<c where codes[ch].mode == .quantised {
                let code = codes[ch]
                var histogram = [Int](repeating: 0, count: Int(code.levels) + 1)
                for s in 0..<n {
                    let base = (s * c + ch) * perChannel
                    for k in 0..<perChannel { histogram[Int(code.symbol(x[base + k]))] += 1 }
                }
                let total = Double(n * perChannel)
                var h = 0.0
                for count in histogram where count > 0 {
                    let p = Double(count) / total
                    h -= p * log2(p)
                }
                entropies[ch] = h
            }
        }
        return entropies
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Quantiser {
    /// The quantiser docs/format.md prescribes for `bundle`: ranges and means of its fit split.
    public init(fitOf bundle: FeatureBundle) {
        self.init(stats: ChannelStats(of: bundle, split: .fit))
    }

    /// The quantiser of the channels in `range` (one stream's), renumbered from 0.
    public func slice(_ range: Range<Int>) -> Quantiser { Quantiser(stats: stats.slice(range)) }

    /// Empirical entropy (bits per symbol) of every global channel at `bits` over `split` of each
    /// stream of `bundle`.
    public func channelEntropies(bits: [Int], bundle: FeatureBundle, split: Split) -> [Double] {
        bundle.mapChannelBlocks(of: split, progress: "channel entropies") { _, channels, block in
            slice(channels).plan(bits: Array(bits[channels])).channelEntropies(block)
        }.flatMap { $0 }
    }
}
