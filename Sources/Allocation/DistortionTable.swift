import Basics
import Dispatch
import FeatureData

/// How much each channel suffers at each bit depth: the distortion table of docs/allocation.md.
///
/// On the fit split, with the quantiser of docs/format.md: `D_c(b)` = mean squared error of channel
/// `c` quantised at `b` bits over all `N·S_c` elements, in float64 (`x̂ = lo + q·(hi − lo)/L` with
/// the normative `q`); `D_c(0)` = the MSE of replacing the channel by its mean, i.e. its
/// population variance. The relative distortion `d_c(b) = D_c(b)/D_c(0)` (0 for every `b` when
/// `D_c(0) = 0`) is what the allocation models use: it makes channels of different scales
/// comparable, so importance alone decides which channel deserves bits.
public struct DistortionTable: Sendable, Equatable {
    /// `absolute[c][b] = D_c(b)`, `b = 0…maxBits`.
    public let absolute: [[Double]]
    /// `relative[c][b] = d_c(b)`.
    public let relative: [[Double]]

    public var channels: Int { absolute.count }
    public var maxBits: Int { (absolute.first?.count ?? 1) - 1 }

    /// The table from precomputed `D_c(b)` rows (one row per channel, `maxBits + 1` entries each).
    public init(absolute: [[Double]]) {
        self.absolute = absolute
        relative = absolute.map { row in
            let variance = row[0]
            return variance > 0 ? row.map { $0 / variance } : [Double](repeating: 0, count: row.count)
        }
    }

    /// Measures the table on `features` (`[N, C, …]`, the fit split) with `quantiser` (whose
    /// ranges and means come from the same split), for `b = 0…maxBits`.
    ///
    /// One pass per channel per depth; channels are spread over the cores, and each channel's sum
    /// runs in sample order on one thread, so the result does not depend on the thread count.
    public init(features: Tensor<Float>, quantiser: Quantiser, maxBits: Int) {
        precondition((0...Quantiser.maximumBits).contains(maxBits), "maxBits \(maxBits) outside 0…\(Quantiser.maximumBits)")
        let samples = features.samples, channels = features.shape[1]
        let perChannel = features.shape.dropFirst(2).reduce(1, *)
        precondition(quantiser.stats.channels == channels, "quantiser for \(quantiser.stats.channels) channels, features have \(channels)")
        // The plan of each depth holds every channel's quantiser constants for that depth.
        let plans = (0...maxBits).map { b in quantiser.plan(bits: [Int](repeating: b, count: channels)) }
        let means = quantiser.stats.mean
        let width = maxBits + 1
        var table = [Double](repeating: 0, count: channels * width)
        table.withUnsafeMutableBufferPointer { out in
            features.values.withUnsafeBufferPointer { x in
                // Each worker reads the features and writes only its own channel's row.
                let shared = SharedPointers(values: x.baseAddress!, output: out.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: channels) { c in
                    // The channel's values, gathered once into a contiguous buffer (a few hundred
                    // kB, cache-resident) for the B + 1 passes, in sample order.
                    let n = samples * perChannel
                    let channel = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(n, 1))
                    defer { channel.deallocate() }
                    for s in 0..<samples {
                        channel.advanced(by: s * perChannel).update(from: shared.values + (s * channels + c) * perChannel, count: perChannel)
                    }
                    let row = shared.output + c * width
                    // D_c(0): the channel replaced by its float64 mean.
                    row[0] = Self.meanSquaredError(channel, n) { _ in means[c] }
                    guard maxBits >= 1 else { return }
                    for b in 1...maxBits {
                        let code = plans[b].codes[c]
                        let lo = code.lo
                        guard code.mode == .quantised else {
                            // hi == lo: every value is lo and is reconstructed as lo.
                            row[b] = Self.meanSquaredError(channel, n) { _ in lo }
                            continue
                        }
                        // x̂ of every symbol, in docs/format.md's operation order (kept in float64).
                        let levels = Int(code.levels)
                        let reconstruction = (0...levels).map { q in lo + Double(q) * code.range / code.levels }
                        // A multiplication by L/(hi − lo) instead of docs/format.md's division: it can
                        // move v by a few ulps, which changes the rounded symbol only next to a
                        // half-integer, so those rare values take the normative path.
                        let scale = code.levels / code.range, top = code.levels
                        row[b] = reconstruction.withUnsafeBufferPointer { level in
                            Self.meanSquaredError(channel, n) { x in
                                let v = Swift.min(Swift.max((Double(x) - lo) * scale, 0), top)
                                let t = Double(Int32(v))
                                let fraction = v - t
                                var q = fraction >= 0.5 ? t + 1 : t
                                if abs(fraction - 0.5) < 1e-9 { q = code.symbol(x) }
                                return level[Int(q)]
                            }
                        }
                    }
                }
            }
        }
        self.init(absolute: (0..<channels).map { c in Array(table[(c * width)..<((c + 1) * width)]) })
    }

    /// `(1/n) Σ_i (x_i − x̂(x_i))²` in float64, summed in element order.
    @inline(__always)
    private static func meanSquaredError(_ x: UnsafeMutablePointer<Float>, _ n: Int, _ reconstruct: (Float) -> Double) -> Double {
        var sum = 0.0
        for i in 0..<n {
            let e = Double(x[i]) - reconstruct(x[i])
            sum += e * e
        }
        return sum / Double(n)
    }

    /// The table of a bundle's fit split with the docs/format.md quantiser, channel block by
    /// channel block (each channel's rows depend on that channel alone, so blocks and streams give
    /// the numbers of one pass over a whole tensor), rows in global channel order.
    ///
    /// A float16 file takes the histogram path (`FeatureSource.mapHalfHistograms`): the same
    /// quantiser on each distinct value, weighted by its count, so the sum runs over at most
    /// 65 536 terms per channel instead of `N·H·W` (the order of the sum differs, so the last bits may).
    public init(fitOf bundle: FeatureBundle, maxBits: Int) {
        let quantiser = Quantiser(fitOf: bundle)
        var rows: [[Double]] = []
        for stream in bundle.streams {
            let part = quantiser.slice(stream.channelRange)
            // Each depth's constants for every channel, made once (as in `init(features:…)`).
            let codes = (0...maxBits).map { b in part.plan(bits: [Int](repeating: b, count: stream.channels)).codes }
            let means = part.stats.mean
            let progress = ProgressLine("distortion table")
            let fromHistograms = FeatureBundle.readOrStop {
                try stream.sources[.fit]!.mapHalfHistograms(progress: { progress.update(fraction: $0) }) { c, histogram in
                    Self.row(histogram: histogram, mean: means[c], codes: codes.dropFirst().map { $0[c] })
                }
            }
            if let fromHistograms {
                progress.finish()
                rows += fromHistograms
                continue
            }
            let blocks = FeatureBundle.readOrStop {
                try stream.mapChannelBlocks(of: .fit, progress: { progress.update(fraction: $0) }) { channels, block in
                    DistortionTable(features: block, quantiser: part.slice(channels), maxBits: maxBits).absolute
                }
            }
            progress.finish()
            rows += blocks.flatMap { $0 }
        }
        self.init(absolute: rows)
    }

    /// `D_c(0…maxBits)` of one channel from the counts of its float16 bit patterns.
    /// `codes[b − 1]` is the channel's quantiser at depth `b`.
    static func row(histogram: UnsafeBufferPointer<UInt32>, mean: Double, codes: [QuantisationPlan.ChannelCode]) -> [Double] {
        var values: [Float] = [], counts: [Double] = []
        var total = 0.0
        for bits in 0..<histogram.count where histogram[bits] > 0 {
            values.append(Float(Float16(bitPattern: UInt16(bits))))
            counts.append(Double(histogram[bits]))
            total += Double(histogram[bits])
        }
        func meanSquaredError(_ reconstruct: (Float) -> Double) -> Double {
            var sum = 0.0
            for (v, k) in zip(values, counts) { let e = Double(v) - reconstruct(v); sum += k * e * e }
            return sum / total
        }
        var row = [meanSquaredError { _ in mean }]
        for code in codes {
            if code.mode == .quantised {
                // docs/format.md's x̂ = lo + q·(hi − lo)/L with the normative symbol q, per value.
                row.append(meanSquaredError { x in code.lo + code.symbol(x) * code.range / code.levels })
            } else {
                let lo = code.lo
                row.append(meanSquaredError { _ in lo })
            }
        }
        return row
    }

    /// `min_b d_c(b)`: the least relative distortion channel `c` can reach (usually at `maxBits`,
    /// but the table is not assumed monotone).
    public func smallestRelative(channel c: Int) -> Double {
        relative[c].min() ?? 0
    }
}

/// The feature and table pointers handed to the concurrent workers of `DistortionTable`.
private struct SharedPointers: @unchecked Sendable {
    let values: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Double>
}
