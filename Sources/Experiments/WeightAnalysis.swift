import Allocation
import Basics
import FeatureData
import Foundation
import Importance
import Inference
import MultiObjective

/// The paper's multi-objective analysis over task weights (Alvar & Bajić, arXiv 2405.09077):
/// over a grid of task-weight vectors `w` on the simplex, which importance measure's budget-form
/// allocation gives the lowest weighted metric loss
///
///     L(w) = Σ_t w_t · (1 − metric_t / clean_t)
///
/// with `metric_t` the task's primary metric of the allocation and `clean_t` that of the
/// unquantised features, both on the same split. The same `w` drives the allocation (as
/// `allocate --weights`) and the loss, so each measure is judged on the trade-off it was asked for.
///
/// Measures that rank channels the same for every task (`l1`, `variance`, `equal`, …) give one
/// allocation for the whole grid, and neighbouring weight vectors often give the same bits for
/// the others too: metrics are computed once per distinct allocation.
public struct WeightAnalysis: Sendable {
    /// One grid point: its weights, every measure's loss and the winner.
    public struct Point: Sendable {
        /// The task weights (sum 1), in `taskNames` order.
        public var weights: [Double]
        /// `L(w)` per measure, in `measures` order.
        public var losses: [Double]
        /// Per measure, the index of its allocation in `allocations`.
        public var allocationIndices: [Int]
        /// Index into `measures` of the lowest loss (ties go to the earlier measure).
        public var best: Int
    }

    /// The tasks the weights are over (all of the bundle's, or the chosen subset).
    public let taskNames: [String]
    public let measures: [ImportanceMeasure]
    public let budget: Double
    public let split: Split
    /// `clean_t` per task of `taskNames`, on `split`.
    public let clean: [Double]
    public let points: [Point]
    /// Every distinct bit vector that was scored, and its metrics (per task of `taskNames`).
    public let allocations: [[Int]]
    public let allocationMetrics: [[Double]]

    /// Grid points won per measure, in `measures` order.
    public var wins: [Int] {
        var counts = [Int](repeating: 0, count: measures.count)
        for p in points { counts[p.best] += 1 }
        return counts
    }

    // MARK: - The grid

    /// Divisions `H` of the default grid: 10 for two or three tasks (11 points on the line, 66 in
    /// the triangle); for more, the smallest Das–Dennis lattice with at least 50 points.
    public static func defaultDivisions(tasks: Int) -> Int {
        tasks <= 3 ? 10 : DasDennis.partitions(forAtLeast: 50, dimension: tasks)
    }

    /// Every weight vector of `tasks` non-negative multiples of `1/divisions` summing to 1
    /// (`C(H + T − 1, T − 1)` points), the first task's weight ascending.
    public static func grid(tasks: Int, divisions: Int) -> [[Double]] {
        DasDennis.points(dimension: tasks, partitions: divisions)
    }

    /// `C(H + T − 1, T − 1)` without building the grid (to refuse absurd sizes up front).
    public static func gridSize(tasks: Int, divisions: Int) -> Int {
        var r = 1.0
        for i in 0..<(tasks - 1) { r = r * Double(divisions + tasks - 1 - i) / Double(i + 1) }
        return r > Double(Int.max / 2) ? Int.max / 2 : Int(r.rounded())
    }

    // MARK: - Loss and winner

    /// `Σ_t w_t · (1 − metric_t / clean_t)`.
    public static func loss(weights: [Double], metrics: [Double], clean: [Double]) -> Double {
        var total = 0.0
        for t in weights.indices { total += weights[t] * (1 - metrics[t] / clean[t]) }
        return total
    }

    /// The index of the lowest loss; the earlier measure wins a tie (the order the user gave).
    public static func winner(_ losses: [Double]) -> Int {
        var best = 0
        for i in losses.indices.dropFirst() where losses[i] < losses[best] { best = i }
        return best
    }

    // MARK: - Running it

    /// One allocator per measure over one shared fit-split distortion table (the table does not
    /// depend on the measure, so it is computed once).
    public static func allocators(bundle: FeatureBundle, importance options: [ImportanceOptions], maxBits: Int) throws -> [Allocator] {
        try Quantiser.checkMaxBits(maxBits)
        let table = DistortionTable(fitOf: bundle, maxBits: maxBits)
        return try options.map { option in
            let scores = try ImportanceCalculator.scores(bundle: bundle, options: option)
            return Allocator(model: AllocationModel(scores: scores, table: table, channelSizes: bundle.channelSizes), scores: scores)
        }
    }

    /// The positions of `names` among the bundle's tasks; unknown or repeated names are invalid input.
    public static func taskIndices(of names: [String], in bundle: FeatureBundle) throws(ParameterError) -> [Int] {
        let bundleTasks = bundle.tasks.map(\.name)
        guard !names.isEmpty else { throw ParameterError("tasks", "give at least one task") }
        var indices: [Int] = []
        for name in names {
            guard let index = bundleTasks.firstIndex(of: name) else {
                throw ParameterError("tasks", "unknown task \"\(name)\" (the bundle's tasks: \(bundleTasks.joined(separator: ", ")))")
            }
            guard !indices.contains(index) else { throw ParameterError("tasks", "task \(name) is named twice") }
            indices.append(index)
        }
        return indices
    }

    /// Runs the analysis.
    /// - Parameters:
    ///   - scoring: a scorer of the split the losses are measured on.
    ///   - allocators: one per measure (see `allocators(bundle:importance:maxBits:)`), in the
    ///     order ties are broken.
    ///   - tasks: the tasks the weights are over (default: every task); the others get weight 0
    ///     in the allocation and do not count in the loss.
    ///   - grid: weight vectors over `tasks` (each sums to 1), e.g. `grid(tasks:divisions:)`.
    ///   - progress: called after each grid point's allocations with (done, total).
    public static func run(bundle: FeatureBundle, scoring: any AllocationScoring, allocators: [Allocator], budget: Double,
                           tasks: [String]? = nil, grid: [[Double]],
                           progress: ((Int, Int) -> Void)? = nil) throws -> WeightAnalysis {
        guard !allocators.isEmpty else { throw ParameterError("measures", "give at least one measure") }
        let taskNames = tasks ?? bundle.tasks.map(\.name)
        let taskIndices = try taskIndices(of: taskNames, in: bundle)
        for w in grid where w.count != taskNames.count {
            throw ParameterError("grid", "weight vector \(w) has \(w.count) entries for \(taskNames.count) tasks")
        }
        let split = scoring.split
        let cleanAll = try scoring.scoreClean().tasks.map(\.metric)
        let clean = taskIndices.map { cleanAll[$0] }
        for (name, value) in zip(taskNames, clean) where !(value.isFinite && value != 0) {
            throw ExperimentError.invalidData("task \(name): its clean metric on \(split.rawValue) is \(value); the relative loss 1 − metric/clean is undefined")
        }

        // Every measure's allocation at every grid point (one solve each), then each distinct
        // allocation scored once, in one batch.
        var allocations: [[Int]] = []
        var indexOfBits: [[Int]: Int] = [:]
        var indices: [[Int]] = []
        indices.reserveCapacity(grid.count)
        for (done, w) in grid.enumerated() {
            // Tasks outside `tasks` are not named: the allocator gives them weight 0.
            let weights = TaskValues(zip(taskNames, w).map { ($0, $1) })
            var row: [Int] = []
            for allocator in allocators {
                let result = try allocator.allocate(budget: budget, weights: weights, solver: .exact)
                if let known = indexOfBits[result.bits] {
                    row.append(known)
                } else {
                    indexOfBits[result.bits] = allocations.count
                    row.append(allocations.count)
                    allocations.append(result.bits)
                }
            }
            indices.append(row)
            progress?(done + 1, grid.count)
        }
        let allocationMetrics = try scoring.score(batch: allocations).map { evaluation in
            taskIndices.map { evaluation.tasks[$0].metric }
        }
        let points = zip(grid, indices).map { w, row -> Point in
            let losses = row.map { loss(weights: w, metrics: allocationMetrics[$0], clean: clean) }
            return Point(weights: w, losses: losses, allocationIndices: row, best: winner(losses))
        }
        return WeightAnalysis(taskNames: taskNames, measures: allocators.map(\.scores.measure), budget: budget, split: split,
                              clean: clean, points: points, allocations: allocations, allocationMetrics: allocationMetrics)
    }
}
