import Basics
import Importance

/// The allocation models of docs/allocation.md, built from a distortion table and importance
/// scores: the budget form, the ε form (one row per task) and the two-level scheme.
///
/// Everything here is cheap once the table and the scores exist, so `front` builds one model and
/// asks it for every budget.
public struct AllocationModel: Sendable {
    public let taskNames: [String]
    /// `S_c`: elements of channel `c` per sample.
    public let sizes: [Int]
    public let table: DistortionTable
    /// `ŝ_{t,c}`: scores clipped at 0 and normalised per task to sum 1 (uniform when all are 0).
    public let taskScores: [[Double]]

    public var channels: Int { sizes.count }
    /// `B`: the largest bit depth of the table.
    public var maxBits: Int { table.maxBits }
    /// `Σ_c S_c`: elements per sample.
    public var totalSize: Int { sizes.reduce(0, +) }

    /// - Parameters:
    ///   - scores: raw scores `s_{t,c}` (any measure; negatives are clipped).
    ///   - table: the distortion table of the same channels.
    ///   - sizes: `S_c` per channel.
    public init(taskNames: [String], scores: [[Double]], table: DistortionTable, sizes: [Int]) {
        precondition(!taskNames.isEmpty && scores.count == taskNames.count, "one score row per task")
        precondition(sizes.count == table.channels && scores.allSatisfy { $0.count == sizes.count }, "one score and one size per channel")
        self.taskNames = taskNames
        self.sizes = sizes
        self.table = table
        taskScores = scores.map(ImportanceScores.normalised)
    }

    /// The model of a bundle's measured scores: channel `c` has `channelSizes[c]` elements per
    /// sample (its stream's H·W; `FeatureBundle.channelSizes`).
    public init(scores: ImportanceScores, table: DistortionTable, channelSizes: [Int]) {
        self.init(taskNames: scores.taskNames, scores: scores.scores, table: table, sizes: channelSizes)
    }

    /// The model of a bundle's measured scores: every channel has `elementsPerChannel` elements.
    public init(scores: ImportanceScores, table: DistortionTable, elementsPerChannel: Int) {
        self.init(taskNames: scores.taskNames, scores: scores.scores, table: table,
                  sizes: [Int](repeating: elementsPerChannel, count: table.channels))
    }

    // MARK: - Weights and budgets

    /// Task weights `w_t` normalised to sum 1: equal when `values` is nil; tasks not named get 0.
    /// Unknown tasks, negative weights and all-zero weights are invalid input.
    public func taskWeights(_ values: TaskValues?) throws(AllocationError) -> [Double] {
        guard let values else { return [Double](repeating: 1 / Double(taskNames.count), count: taskNames.count) }
        let weights: [Double]
        do { weights = try values.weights(for: taskNames, parameter: "weights", unnamed: 0) } catch { throw AllocationError(error) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// `a_c = Σ_t w_t ŝ_{t,c}` for normalised task weights.
    public func channelWeights(taskWeights: [Double]) -> [Double] {
        precondition(taskWeights.count == taskNames.count, "one weight per task")
        var a = [Double](repeating: 0, count: channels)
        for (t, row) in taskScores.enumerated() where taskWeights[t] != 0 {
            for c in 0..<channels { a[c] += taskWeights[t] * row[c] }
        }
        return a
    }

    /// The rate limit in bits of a budget in bits per element: `⌊budget · Σ_c S_c · (1 + 1e-12)⌋`
    /// (the factor keeps `2.3 · 100 = 229.99999999999997` from losing a bit to floating point).
    public func maxRate(budget: Double) throws(AllocationError) -> Double {
        do { try Self.checkBudget(budget, maxBits: maxBits) } catch { throw AllocationError(error) }
        return (budget * Double(totalSize) * (1 + 1e-12)).rounded(.down)
    }

    /// The one check of a rate budget in bits per element: finite, ≥ 0, at most `maxBits` (every
    /// channel at `maxBits` bits). Commands call it before any work, the model before a solve.
    public static func checkBudget(_ budget: Double, maxBits: Int) throws(ParameterError) {
        let value = TaskValues.format(budget)
        guard budget.isFinite, budget >= 0 else { throw ParameterError("budget", value: value, "must be a number of bits per element ≥ 0") }
        guard budget <= Double(maxBits) else {
            throw ParameterError("budget", value: value, "above \(ParameterError.mention("maxBits")) \(maxBits) (every channel at \(maxBits) bits is \(maxBits) bits per element)")
        }
    }

    // MARK: - The three forms

    /// Budget form: minimise `Σ_c a_c d_c(b_c)` subject to `Σ_c b_c S_c ≤ budget · Σ_c S_c`.
    public func budgetProblem(budget: Double, taskWeights: [Double]) throws(AllocationError) -> AllocationProblem {
        let rateLimit = try maxRate(budget: budget)
        let a = channelWeights(taskWeights: taskWeights)
        let costs = (0..<channels).map { c in table.relative[c].map { a[c] * $0 } }
        return try Self.problem(sizes: sizes, costs: costs, maxRate: rateLimit, constraints: [])
    }

    /// ε form: minimise `Σ_c b_c S_c` subject to `Σ_c ŝ_{t,c} d_c(b_c) ≤ ε_t` for every task named
    /// in `epsilon`, and the budget's rate limit when `budget` is given.
    ///
    /// Infeasibility without a rate limit is decided here, exactly, before any solver runs: every
    /// row is smallest with each channel at its own `argmin_b d_c(b)`, so a task whose
    /// `Σ_c ŝ_{t,c} min_b d_c(b)` exceeds `ε_t` can never be met; the first such task is named.
    public func epsilonProblem(epsilon: TaskValues, budget: Double?) throws(AllocationError) -> AllocationProblem {
        let bounds: [Double?]
        do { bounds = try epsilon.values(for: taskNames, parameter: "epsilon") } catch { throw AllocationError(error) }
        for entry in epsilon.entries where entry.value < 0 {
            throw .invalidInput("\(ParameterError.mention("epsilon")): the bound of task \(entry.task) is \(TaskValues.format(entry.value)); relative distortions are ≥ 0, so bounds must not be negative")
        }
        let rateLimit = try budget.map { b throws(AllocationError) in try maxRate(budget: b) } ?? Double(maxBits * totalSize)
        let smallest = (0..<channels).map(table.smallestRelative(channel:))
        var rows: [AllocationProblem.Constraint] = []
        for (t, bound) in bounds.enumerated() {
            guard let bound else { continue }
            var least = 0.0
            for c in 0..<channels { least += taskScores[t][c] * smallest[c] }
            guard least <= bound else {
                throw .infeasible(task: taskNames[t], message: "\(ParameterError.mention("epsilon")) \(taskNames[t])=\(TaskValues.format(bound)): infeasible: even the best depth (≤ \(maxBits) bits) on every channel gives \(taskNames[t]) a relative distortion of \(least)")
            }
            let costs = (0..<channels).map { c in table.relative[c].map { taskScores[t][c] * $0 } }
            rows.append(.init(costs: costs, max: bound))
        }
        let costs = (0..<channels).map { c in (0...maxBits).map { Double($0 * sizes[c]) } }
        return try Self.problem(sizes: sizes, costs: costs, maxRate: rateLimit, constraints: rows)
    }

    /// The budget-form objective `Σ_c a_c d_c(b_c)` of `bits`.
    public func objective(of bits: [Int], channelWeights a: [Double]) -> Double {
        var total = 0.0
        for (c, b) in bits.enumerated() { total += a[c] * table.relative[c][b] }
        return total
    }

    /// `Σ_c ŝ_{t,c} d_c(b_c)` for every task: what the ε form bounds.
    public func taskDistortions(of bits: [Int]) -> [Double] {
        taskScores.map { row in
            var total = 0.0
            for (c, b) in bits.enumerated() { total += row[c] * table.relative[c][b] }
            return total
        }
    }

    /// `Σ_c b_c S_c`.
    public func rate(of bits: [Int]) -> Int {
        zip(bits, sizes).reduce(0) { $0 + $1.0 * $1.1 }
    }

    private static func problem(sizes: [Int], costs: [[Double]], maxRate: Double,
                                constraints: [AllocationProblem.Constraint]) throws(AllocationError) -> AllocationProblem {
        do {
            return try AllocationProblem(sizes: sizes, costs: costs, maxRate: maxRate, constraints: constraints)
        } catch {
            throw .invalidInput(error.message)
        }
    }
}
