/// The budget form, solved to proven optimality: minimise `Σ_c costs[c][b_c]` subject to
/// `Σ_c b_c·S_c ≤ maxRate` — a multiple-choice knapsack (one bit depth per channel).
///
/// 1. **LP relaxation.** Per channel, the lower convex hull of its points `(b·S_c, cost)` up to
///    its cheapest point; the hull segments of all channels, taken greedily by decreasing gain
///    (cost saved per bit), solve the LP relaxation exactly (Sinha & Zoltners). The first segment
///    that does not fit gives the multiplier `λ` and the bound `L = Σ_c min_b(cost + λ·b·S_c) − λ·R`.
/// 2. **Incumbent.** The same greedy, continued past that segment with whatever still fits.
/// 3. **Closing the gap.** For every allocation, `objective = L + Σ_c r_c(b_c) + λ·(R − rate)` with
///    reduced costs `r_c(b) = cost + λ·b·S_c − min ≥ 0`, so only bit depths with
///    `r_c(b) ≤ U − L` (U the incumbent) can appear in a better allocation. Channels left with
///    one such depth are fixed; the few others (the *core*) go through a dynamic programme over
///    Pareto states (rate, cost), pruned by that same bound. What it returns is optimal, and
///    `lowerBound` is `L`.
///
/// Costs need not be convex or decreasing in `b`; any table is solved exactly. Runs in about
/// `O(C·B·log(C·B))` plus the core DP, which is tiny when the LP gap is (as on distortion tables).
///
/// The core DP is bounded: tables built to defeat it (subset-sum-like: one bit per channel, cost
/// `−S_c`) can need exponentially many states, so past `stateLimit` stored states or `timeLimit`
/// the solve stops with status `.timeLimit`, the greedy incumbent and the proven bound `L`.
public enum ExactSolver {
    /// Stored DP states (5 bytes of back-pointer each, plus 16 per live state) before the solve
    /// stops: ~200 MB at the default.
    public static let defaultStateLimit = 30_000_000

    /// What the solve did, for benchmarks and docs.
    public struct Statistics: Sendable, Equatable {
        /// The LP relaxation's optimum (= the Lagrangian bound `L`).
        public var lowerBound: Double
        /// The greedy incumbent's objective.
        public var incumbent: Double
        /// The multiplier `λ` (cost per bit at the margin).
        public var multiplier: Double
        /// Channels with more than one bit depth left after reduced-cost fixing.
        public var coreChannels: Int
        /// The largest number of DP states alive after a channel.
        public var peakStates: Int
    }

    /// Solves the budget form. Throws if the problem has extra rows (use `GLPKSolver`).
    /// `timeLimit` in seconds (nil: none) and `stateLimit` bound the core DP; a solve stopped by
    /// either has status `.timeLimit`.
    public static func solve(_ problem: AllocationProblem, timeLimit: Double? = nil, stateLimit: Int = defaultStateLimit)
        throws(AllocationInputError) -> AllocationSolution
    {
        try solveWithStatistics(problem, timeLimit: timeLimit, stateLimit: stateLimit).solution
    }

    /// The LP relaxation's optimum of the budget form (its extra rows ignored): a lower bound on
    /// every allocation's objective, in `O(C·B·log(C·B))`, without the core DP.
    public static func relaxationBound(_ problem: AllocationProblem) -> Double {
        let (_, statistics, _) = run(problem, deadline: nil, stateLimit: 0)
        return statistics.lowerBound
    }

    public static func solveWithStatistics(_ problem: AllocationProblem, timeLimit: Double? = nil, stateLimit: Int = defaultStateLimit)
        throws(AllocationInputError) -> (solution: AllocationSolution, statistics: Statistics)
    {
        guard problem.constraints.isEmpty else {
            throw AllocationInputError("the exact solver handles the budget form only (no extra constraint rows); this problem has \(problem.constraints.count): use the GLPK solver")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = timeLimit.map { start + .nanoseconds(Int64(min($0, 1e9) * 1e9)) }
        let (bits, statistics, stopped) = run(problem, deadline: deadline, stateLimit: max(0, stateLimit))
        let seconds = (clock.now - start).seconds
        let message: String
        switch stopped {
        case nil: message = "optimal (LP bound, reduced-cost fixing, core DP over \(statistics.coreChannels) channels)"
        case .states: message = "stopped: the core DP over \(statistics.coreChannels) channels exceeded \(stateLimit) states; the greedy allocation is returned, not proven optimal"
        case .time: message = "stopped: the time limit ran out in the core DP over \(statistics.coreChannels) channels; the greedy allocation is returned, not proven optimal"
        }
        let solution = AllocationSolution(
            status: stopped == nil ? .optimal : .timeLimit, bits: bits, objective: problem.objective(of: bits), rate: problem.rate(of: bits),
            lowerBound: statistics.lowerBound, seconds: seconds, solver: "exact", message: message)
        return (solution, statistics)
    }

    private static func run(_ problem: AllocationProblem, deadline: ContinuousClock.Instant?, stateLimit: Int)
        -> ([Int], Statistics, Core.Stop?)
    {
        let channels = problem.channels
        let depths = problem.maxBits + 1
        var flat = [Double](repeating: 0, count: channels * depths)
        for c in 0..<channels { for b in 0..<depths { flat[c * depths + b] = problem.costs[c][b] } }
        return flat.withUnsafeBufferPointer { costs in
            problem.sizes.withUnsafeBufferPointer { sizes in
                Core.solve(costs: costs, sizes: sizes, depths: depths, capacity: problem.rateCapacity,
                           deadline: deadline, stateLimit: stateLimit)
            }
        }
    }

    /// The algorithm on flat arrays: `costs[c·depths + b]`, rate of `(c, b)` = `b·sizes[c]`.
    enum Core {
        /// Why the core DP stopped before proving optimality.
        enum Stop { case states, time }

        /// Returns the bits, the statistics, and nil when the bits are proven optimal, else why
        /// the DP stopped (the bits are then the greedy incumbent). `stateLimit` 0 stops at the
        /// bound, before any DP state is stored.
        static func solve(costs: UnsafeBufferPointer<Double>, sizes: UnsafeBufferPointer<Int>, depths: Int, capacity: Int,
                          deadline: ContinuousClock.Instant? = nil, stateLimit: Int = ExactSolver.defaultStateLimit)
            -> ([Int], Statistics, Stop?)
        {
            let channels = sizes.count
            // 1. Lower convex hull of each channel, from b = 0 to its (first) cheapest point.
            var hull = [Int](repeating: 0, count: channels * depths)
            var hullCount = [Int](repeating: 0, count: channels)
            var segmentChannel: [Int32] = []
            var segmentGain: [Double] = []
            segmentChannel.reserveCapacity(channels * (depths - 1))
            segmentGain.reserveCapacity(channels * (depths - 1))
            for c in 0..<channels {
                let base = c * depths
                var count = 0
                for b in 0..<depths {
                    let y = costs[base + b]
                    while count >= 2 {
                        let b0 = hull[base + count - 2], b1 = hull[base + count - 1]
                        let y0 = costs[base + b0], y1 = costs[base + b1]
                        // x = b·S_c; the common factor S_c > 0 does not change the turn's sign.
                        let cross = Double(b1 - b0) * (y - y0) - (y1 - y0) * Double(b - b0)
                        if cross <= 0 { count -= 1 } else { break }
                    }
                    hull[base + count] = b
                    count += 1
                }
                var cheapest = 0
                for k in 1..<count where costs[base + hull[base + k]] < costs[base + hull[base + cheapest]] { cheapest = k }
                count = cheapest + 1
                hullCount[c] = count
                let size = Double(sizes[c])
                for k in 0..<(count - 1) {
                    let b0 = hull[base + k], b1 = hull[base + k + 1]
                    segmentChannel.append(Int32(c))
                    segmentGain.append((costs[base + b0] - costs[base + b1]) / (Double(b1 - b0) * size))
                }
            }
            // Decreasing gain; within a channel gains decrease along the hull, and ties keep the
            // hull's order (channel, then position), so each channel's segments stay in order.
            var order = Array(0..<segmentGain.count)
            segmentGain.withUnsafeBufferPointer { gain in
                order.sort { gain[$0] > gain[$1] || (gain[$0] == gain[$1] && $0 < $1) }
            }

            // 2. Greedy: the LP relaxation up to the first segment that does not fit, then the
            // incumbent from the segments that still fit.
            var position = [Int](repeating: 0, count: channels)
            var blocked = [Bool](repeating: false, count: channels)
            var used = 0
            var multiplier = 0.0
            var breakFound = false
            for s in order {
                let c = Int(segmentChannel[s])
                if blocked[c] { continue }
                let base = c * depths
                let extra = (hull[base + position[c] + 1] - hull[base + position[c]]) * sizes[c]
                if used + extra <= capacity {
                    used += extra
                    position[c] += 1
                } else {
                    if !breakFound { breakFound = true; multiplier = segmentGain[s] }
                    blocked[c] = true
                }
            }
            var incumbentBits = [Int](repeating: 0, count: channels)
            var incumbent = 0.0
            for c in 0..<channels {
                incumbentBits[c] = hull[c * depths + position[c]]
                incumbent += costs[c * depths + incumbentBits[c]]
            }

            // 3. Lagrangian bound and reduced costs at λ.
            let lambda = multiplier
            var minimum = [Double](repeating: 0, count: channels)
            var bound = -lambda * Double(capacity)
            var scale = lambda * Double(capacity)
            for c in 0..<channels {
                let base = c * depths
                let size = Double(sizes[c])
                var best = Double.infinity
                var largest = 0.0
                for b in 0..<depths {
                    let value = costs[base + b] + lambda * Double(b) * size
                    best = min(best, value)
                    largest = max(largest, abs(costs[base + b]), abs(value))
                }
                minimum[c] = best
                bound += best
                scale += largest
            }
            // Rounding slack for the comparisons below: it only widens the search, never narrows it.
            let tolerance = 1e-12 * scale
            let gap = max(0, incumbent - bound)
            var statistics = Statistics(lowerBound: bound, incumbent: incumbent, multiplier: lambda, coreChannels: 0, peakStates: 1)
            if !breakFound { return (incumbentBits, statistics, nil) }
            if stateLimit == 0 { return (incumbentBits, statistics, .states) }

            // Candidate depths per channel: reduced cost within the gap, minus dominated ones
            // (heavier and not cheaper than a lighter candidate).
            var candidateStart = [Int](repeating: 0, count: channels + 1)
            var candidateBits: [Int] = []
            candidateBits.reserveCapacity(channels * 2)
            for c in 0..<channels {
                let base = c * depths
                let size = Double(sizes[c])
                var cheapestSoFar = Double.infinity
                for b in 0..<depths {
                    let reduced = costs[base + b] + lambda * Double(b) * size - minimum[c]
                    if reduced <= gap + tolerance && costs[base + b] < cheapestSoFar {
                        cheapestSoFar = costs[base + b]
                        candidateBits.append(b)
                    }
                }
                candidateStart[c + 1] = candidateBits.count
            }

            // Fixed channels (one candidate) and the core.
            var bits = [Int](repeating: 0, count: channels)
            var core: [Int] = []
            var fixedRate = 0
            var fixedCost = 0.0
            var fixedReduced = 0.0
            for c in 0..<channels {
                let n = candidateStart[c + 1] - candidateStart[c]
                if n == 1 {
                    let b = candidateBits[candidateStart[c]]
                    bits[c] = b
                    fixedRate += b * sizes[c]
                    fixedCost += costs[c * depths + b]
                    fixedReduced += costs[c * depths + b] + lambda * Double(b * sizes[c]) - minimum[c]
                } else {
                    core.append(c)
                }
            }
            statistics.coreChannels = core.count
            // Remaining rate range of the core channels after position k.
            var minRest = [Int](repeating: 0, count: core.count + 1)
            var maxRest = [Int](repeating: 0, count: core.count + 1)
            for k in stride(from: core.count - 1, through: 0, by: -1) {
                let c = core[k]
                minRest[k] = minRest[k + 1] + candidateBits[candidateStart[c]] * sizes[c]
                maxRest[k] = maxRest[k + 1] + candidateBits[candidateStart[c + 1] - 1] * sizes[c]
            }

            // Pareto DP over (rate, cost) of the core channels processed so far: states sorted by
            // rate with strictly falling cost. A channel's candidates shift the list by their
            // (rate, cost); the shifted lists are merged in rate order, and a state is kept if it
            // is cheaper than every lighter one and its bound can still beat the incumbent.
            // Back-pointers take 5 bytes per state (parent, choice), one flat array for all layers.
            var rates: [Int] = [fixedRate], values: [Double] = [0]
            var nextRates: [Int] = [], nextValues: [Double] = []
            var parents: [Int32] = [], choices: [UInt8] = []
            var layerStart: [Int] = [0]
            var heads = [Int](repeating: 0, count: depths)
            var processedMinimum = 0.0
            let limit = incumbent + tolerance
            let clock = ContinuousClock()
            for (k, c) in core.enumerated() {
                if let deadline, clock.now >= deadline { return (incumbentBits, statistics, .time) }
                let size = sizes[c]
                let lo = candidateStart[c], n = candidateStart[c + 1] - lo
                processedMinimum += minimum[c]
                nextRates.removeAll(keepingCapacity: true)
                nextValues.removeAll(keepingCapacity: true)
                let count = rates.count
                for j in 0..<n { heads[j] = 0 }
                var bestCost = Double.infinity
                while true {
                    var pick = -1, pickRate = Int.max, pickCost = Double.infinity
                    for j in 0..<n where heads[j] < count {
                        let b = candidateBits[lo + j]
                        let rate = rates[heads[j]] + b * size
                        let cost = values[heads[j]] + costs[c * depths + b]
                        if rate < pickRate || (rate == pickRate && cost < pickCost) { pick = j; pickRate = rate; pickCost = cost }
                    }
                    if pick < 0 { break }
                    let parent = heads[pick]
                    heads[pick] += 1
                    if pickRate + minRest[k + 1] > capacity { heads[pick] = count; continue }  // the rest of this list is heavier
                    if pickCost >= bestCost { continue }  // a lighter state is at least as cheap
                    // Dominated states of a pruned one are hopeless too, so the bar drops either way.
                    bestCost = pickCost
                    // objective ≥ L + Σ r + λ·(R − final rate); the remaining channels add r ≥ 0.
                    let reduced = fixedReduced + pickCost + lambda * Double(pickRate - fixedRate) - processedMinimum
                    let slack = max(0, capacity - pickRate - maxRest[k + 1])
                    if bound + reduced + lambda * Double(slack) > limit { continue }
                    if parents.count >= stateLimit { return (incumbentBits, statistics, .states) }
                    nextRates.append(pickRate)
                    nextValues.append(pickCost)
                    parents.append(Int32(parent))
                    choices.append(UInt8(pick))
                }
                layerStart.append(parents.count)
                swap(&rates, &nextRates)
                swap(&values, &nextValues)
                statistics.peakStates = max(statistics.peakStates, rates.count)
                if rates.isEmpty { break }
            }
            guard let best = values.indices.min(by: { values[$0] < values[$1] }),
                  values[best] + fixedCost < incumbent
            else {
                return (incumbentBits, statistics, nil)
            }
            // Walk the parents back through the layers.
            var index = best
            for k in stride(from: core.count - 1, through: 0, by: -1) {
                let c = core[k]
                bits[c] = candidateBits[candidateStart[c] + Int(choices[layerStart[k] + index])]
                index = Int(parents[layerStart[k] + index])
            }
            return (bits, statistics, nil)
        }
    }
}
