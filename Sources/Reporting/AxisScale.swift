import Foundation

/// A linear axis with "nice" ticks (steps of 1, 2 or 5 × 10^k, Heckbert 1990), so labels read as
/// round numbers and the data never touches the frame.
public struct AxisScale: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let step: Double

    /// About `targetTicks` ticks covering `min…max`; a degenerate range is widened around its value.
    public init(min lo: Double, max hi: Double, targetTicks: Int = 5) {
        var lo = lo, hi = hi
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        if lo > hi { swap(&lo, &hi) }
        if hi - lo < 1e-12 * Swift.max(1, abs(hi)) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        // The nice step nearest the ideal, or the next smaller one when that wastes less of the
        // axis without crowding it (1…32 reads better as 0…35 by 5 than 0…40 by 10).
        let ideal = AxisScale.niceNumber((hi - lo) / Double(Swift.max(1, targetTicks - 1)), round: true)
        let smaller = AxisScale.smallerNiceNumber(ideal)
        func span(_ step: Double) -> (lower: Double, upper: Double, ticks: Int) {
            let l = (lo / step).rounded(.down) * step, u = (hi / step).rounded(.up) * step
            return (l, u, Int(((u - l) / step).rounded()) + 1)
        }
        var step = ideal
        let a = span(ideal), b = span(smaller)
        if b.ticks <= targetTicks + 3 && b.upper - b.lower < a.upper - a.lower - 1e-12 * abs(a.upper - a.lower) { step = smaller }
        let chosen = span(step)
        self.step = step
        self.lower = chosen.lower
        self.upper = chosen.upper
    }

    /// The tick values from `lower` to `upper` inclusive.
    public var ticks: [Double] {
        let n = Int(((upper - lower) / step).rounded())
        return (0...n).map { lower + Double($0) * step }
    }

    /// Position of `value` in `0…1` along the axis.
    public func fraction(_ value: Double) -> Double { (value - lower) / (upper - lower) }

    /// A tick label with as many decimals as the step needs and no more.
    public func label(_ value: Double) -> String {
        let decimals = Swift.max(0, -Int((log10(step)).rounded(.down)))
        let v = abs(value) < step * 1e-9 ? 0 : value
        return String(format: "%.\(decimals)f", v)
    }

    /// The next nice number below `x` (itself 1, 2 or 5 × 10^k): 10 → 5, 5 → 2, 2 → 1.
    static func smallerNiceNumber(_ x: Double) -> Double {
        let exponent = (log10(x)).rounded(.down)
        let fraction = (x / pow(10, exponent)).rounded()
        let lower: Double = fraction >= 5 ? 2 : fraction >= 2 ? 1 : 0.5
        return lower * pow(10, exponent)
    }

    /// The nice number closest to (`round`) or not below `x`: 1, 2, 5 or 10 × 10^k.
    static func niceNumber(_ x: Double, round: Bool) -> Double {
        let exponent = (log10(x)).rounded(.down)
        let fraction = x / pow(10, exponent)
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * pow(10, exponent)
    }
}
