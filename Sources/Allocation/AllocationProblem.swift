/// A bit-allocation integer program: pick a bit depth `b_c ∈ {0…B}` for every channel.
///
/// Minimise `Σ_c costs[c][b_c]` subject to the rate limit `Σ_c b_c·sizes[c] ≤ maxRate` (bits)
/// and, for every extra row `i`, `Σ_c constraints[i].costs[c][b_c] ≤ constraints[i].max`.
/// Without extra rows this is the *budget form* (a multiple-choice knapsack, which
/// `ExactSolver` solves); with them, e.g. the *ε form* of docs/allocation.md, `GLPKSolver`.
public struct AllocationProblem: Sendable, Equatable {
    /// One extra knapsack row: `Σ_c costs[c][b_c] ≤ max`.
    public struct Constraint: Sendable, Equatable {
        public var costs: [[Double]]
        public var max: Double
        public init(costs: [[Double]], max: Double) {
            self.costs = costs
            self.max = max
        }
    }

    /// Elements per channel `S_c` (> 0): a channel at `b` bits costs `b·S_c` bits of rate.
    public let sizes: [Int]
    /// `costs[c][b]` for `b = 0…maxBits`: the objective's term for channel `c` at `b` bits.
    public let costs: [[Double]]
    /// The rate limit in bits (not bits per element).
    public let maxRate: Double
    /// Extra rows, each `Σ_c costs[c][b_c] ≤ max` (empty: the budget form).
    public let constraints: [Constraint]

    public var channels: Int { sizes.count }
    /// `B`: the largest bit depth (every costs row has `B + 1` entries).
    public var maxBits: Int { (costs.first?.count ?? 1) - 1 }
    /// The largest integer rate allowed (rates are integers): `⌊maxRate⌋`, capped at the rate of
    /// every channel at `B` bits.
    public var rateCapacity: Int {
        let full = sizes.reduce(0, +) * maxBits
        return maxRate >= Double(full) ? full : Int(maxRate.rounded(.down))
    }

    /// Checks the problem and throws `AllocationInputError` naming the first thing wrong.
    public init(sizes: [Int], costs: [[Double]], maxRate: Double, constraints: [Constraint] = []) throws(AllocationInputError) {
        guard !sizes.isEmpty else { throw AllocationInputError("sizes: at least one channel is needed") }
        guard costs.count == sizes.count else {
            throw AllocationInputError("costs: \(costs.count) rows for \(sizes.count) channels (sizes); one row per channel is needed")
        }
        for (c, s) in sizes.enumerated() where s <= 0 {
            throw AllocationInputError("sizes[\(c)] = \(s): sizes (elements per channel) must be positive")
        }
        guard sizes.allSatisfy({ $0 <= 1 << 40 }), sizes.count <= 1 << 24 else {
            throw AllocationInputError("sizes: too large (at most 2^40 elements per channel, 2^24 channels)")
        }
        try Self.checkTable(costs, name: "costs", channels: sizes.count, width: nil)
        guard costs[0].count <= 65 else { throw AllocationInputError("costs: at most 65 entries per row (bit depths 0…64)") }
        // Rates are exact integers: keep the largest one, Σ_c B·S_c, far from Int overflow.
        guard sizes.reduce(0.0, { $0 + Double($1) }) * Double(costs[0].count - 1) < 0x1p53 else {
            throw AllocationInputError("sizes: the largest rate Σ_c B·S_c exceeds 2^53 bits; use smaller sizes or fewer bit depths")
        }
        guard maxRate.isFinite else { throw AllocationInputError("maxRate = \(maxRate): must be a finite number of bits") }
        guard maxRate >= 0 else { throw AllocationInputError("maxRate = \(maxRate): the rate limit must not be negative") }
        for (i, row) in constraints.enumerated() {
            try Self.checkTable(row.costs, name: "constraints[\(i)].costs", channels: sizes.count, width: costs[0].count)
            guard row.max.isFinite else { throw AllocationInputError("constraints[\(i)].max = \(row.max): must be finite") }
        }
        self.sizes = sizes
        self.costs = costs
        self.maxRate = maxRate
        self.constraints = constraints
    }

    private static func checkTable(_ table: [[Double]], name: String, channels: Int, width: Int?) throws(AllocationInputError) {
        guard table.count == channels else {
            throw AllocationInputError("\(name): \(table.count) rows for \(channels) channels; one row per channel is needed")
        }
        let expected = width ?? table[0].count
        guard expected >= 1 else { throw AllocationInputError("\(name)[0]: empty row; each row needs the costs for b = 0…B") }
        for (c, row) in table.enumerated() {
            guard row.count == expected else {
                throw AllocationInputError("\(name)[\(c)] has \(row.count) entries, \(name)[0]\(width == nil ? "" : " of costs") has \(expected): every row needs one cost per bit depth 0…B")
            }
            if let b = row.firstIndex(where: { !$0.isFinite }) {
                throw AllocationInputError("\(name)[\(c)][\(b)] = \(row[b]): costs must be finite numbers")
            }
        }
    }

    /// `Σ_c b_c·S_c` in bits.
    public func rate(of bits: [Int]) -> Int {
        zip(bits, sizes).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// `Σ_c costs[c][b_c]`.
    public func objective(of bits: [Int]) -> Double {
        var total = 0.0
        for (c, b) in bits.enumerated() { total += costs[c][b] }
        return total
    }

    /// Whether `bits` satisfies the rate limit and every extra row (rows to a relative 1e-9,
    /// the tolerance of a MIP solver's feasibility check).
    public func isFeasible(_ bits: [Int]) -> Bool {
        guard bits.count == channels, bits.allSatisfy({ (0...maxBits).contains($0) }) else { return false }
        guard rate(of: bits) <= rateCapacity else { return false }
        for row in constraints {
            var total = 0.0
            for (c, b) in bits.enumerated() { total += row.costs[c][b] }
            if total > row.max + 1e-9 * Swift.max(1, abs(row.max)) { return false }
        }
        return true
    }
}

/// A problem that cannot be solved as given (bad sizes, ragged tables, NaN costs, …).
public struct AllocationInputError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
