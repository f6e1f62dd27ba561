/// One allocation of the two-level scheme: the top `k` channels by `a_c` at `high` bits
/// (enhancement), every other channel at `low` bits (base).
public struct TwoLevelChoice: Sendable, Equatable {
    public var k: Int
    public var low: Int
    public var high: Int
    public var bits: [Int]
    /// `Σ_c b_c S_c` in bits.
    public var rate: Int
    /// The budget-form objective `Σ_c a_c d_c(b_c)`.
    public var objective: Double
}

extension AllocationModel {
    /// The depths `b_lo` the two-level scheme tries for the base channels.
    public static let twoLevelLowDepths = 0...4

    /// Channels by `a_c`, largest first; ties by channel number.
    public static func ranking(_ channelWeights: [Double]) -> [Int] {
        channelWeights.indices.sorted { channelWeights[$0] != channelWeights[$1] ? channelWeights[$0] > channelWeights[$1] : $0 < $1 }
    }

    /// The paper's base/enhancement scheme as a method (docs/architecture.md `twolevel-<measure>`): over
    /// `k = 0…C` and `b_lo ∈ {0…4}, b_lo ≤ B`, the allocation (top `k` by `a_c` at `B` bits, the
    /// rest at `b_lo`) within the budget with the lowest budget-form objective; ties (to a relative
    /// 1e-12, so rounding does not decide them) go to the lower rate, then the smaller `k`, then
    /// the smaller `b_lo`. `(0, 0)` is always within the budget.
    public func twoLevel(budget: Double, taskWeights: [Double]) throws(AllocationError) -> TwoLevelChoice {
        let capacity = Int(try maxRate(budget: budget))
        let a = channelWeights(taskWeights: taskWeights)
        let order = Self.ranking(a)
        let high = maxBits
        // Prefix sums over the ranking: O(C) per b_lo instead of O(C) per (k, b_lo).
        var topObjective = [Double](repeating: 0, count: channels + 1)
        var topSize = [Int](repeating: 0, count: channels + 1)
        for (i, c) in order.enumerated() {
            topObjective[i + 1] = topObjective[i] + a[c] * table.relative[c][high]
            topSize[i + 1] = topSize[i] + sizes[c]
        }
        var best: (k: Int, low: Int, rate: Int, objective: Double)?
        for low in Self.twoLevelLowDepths where low <= high {
            var restObjective = [Double](repeating: 0, count: channels + 1)
            for i in stride(from: channels - 1, through: 0, by: -1) {
                restObjective[i] = restObjective[i + 1] + a[order[i]] * table.relative[order[i]][low]
            }
            for k in 0...channels {
                let rate = topSize[k] * high + (totalSize - topSize[k]) * low
                guard rate <= capacity else { continue }
                let objective = topObjective[k] + restObjective[k]
                if let current = best {
                    let tolerance = 1e-12 * Swift.max(abs(objective), abs(current.objective))
                    if objective > current.objective + tolerance { continue }
                    if objective >= current.objective - tolerance {
                        // A tie: lower rate, then smaller k (then smaller b_lo: the loop order).
                        if rate > current.rate || (rate == current.rate && k >= current.k) { continue }
                    }
                }
                best = (k, low, rate, objective)
            }
        }
        let choice = best!  // (0, 0) has rate 0 ≤ capacity.
        var bits = [Int](repeating: choice.low, count: channels)
        for c in order.prefix(choice.k) { bits[c] = high }
        return TwoLevelChoice(k: choice.k, low: choice.low, high: high, bits: bits, rate: rate(of: bits),
                              objective: objective(of: bits, channelWeights: a))
    }
}
