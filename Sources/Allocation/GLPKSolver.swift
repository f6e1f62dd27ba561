import CGLPKGuard

/// Any `AllocationProblem` (the budget form and multi-row forms such as the ε form) as a 0–1
/// program for GLPK: binaries `x[c,b]`, `Σ_b x[c,b] = 1` per channel, the rate row
/// `Σ b·S_c·x[c,b] ≤ maxRate`, one row per extra constraint; minimise `Σ costs[c][b]·x[c,b]`.
///
/// Every GLPK call goes through `CGLPKGuard` (a GLPK error becomes `.error`, never `abort()`),
/// and the problem is built, solved and deleted on the calling thread, so the solver can be
/// used from any thread, several at once.
public struct GLPKSolver: Sendable {
    /// Seconds; `nil`: no limit.
    public var timeLimit: Double?
    /// Relative MIP gap at which GLPK may stop (0: prove optimality, within GLPK's tolerances).
    public var mipGap: Double
    /// GLPK's MIP presolver (faster on these models); off: `glp_simplex` then `glp_intopt`.
    public var presolve: Bool

    public init(timeLimit: Double? = nil, mipGap: Double = 0, presolve: Bool = true) {
        self.timeLimit = timeLimit
        self.mipGap = mipGap
        self.presolve = presolve
    }

    public func solve(_ problem: AllocationProblem) -> AllocationSolution {
        let channels = problem.channels
        let depths = problem.maxBits + 1
        let columns = channels * depths
        let rows = channels + 1 + problem.constraints.count
        var rowKind = [Int32](repeating: Int32(CGLPK_ROW_FIXED), count: rows)
        var rowLower = [Double](repeating: 1, count: rows)
        var rowUpper = [Double](repeating: 1, count: rows)
        rowKind[channels] = Int32(CGLPK_ROW_UPPER)
        rowLower[channels] = 0
        rowUpper[channels] = Double(problem.rateCapacity)
        for (i, row) in problem.constraints.enumerated() {
            rowKind[channels + 1 + i] = Int32(CGLPK_ROW_UPPER)
            rowLower[channels + 1 + i] = 0
            rowUpper[channels + 1 + i] = row.max
        }
        // GLPK's tolerances are absolute (reduced costs below 1e-7 count as zero), so distortion
        // tables whose optimum is ~1e-4 would stop early at a worse allocation. Dividing the
        // objective by its expected size keeps the argmin and puts it where the tolerances fit.
        let scale = Self.objectiveScale(problem)
        var objective = [Double](repeating: 0, count: columns)
        var entryRow: [Int32] = [], entryColumn: [Int32] = [], entryValue: [Double] = []
        let estimate = columns * (2 + problem.constraints.count)
        entryRow.reserveCapacity(estimate); entryColumn.reserveCapacity(estimate); entryValue.reserveCapacity(estimate)
        func add(_ row: Int, _ column: Int, _ value: Double) {
            guard value != 0 else { return }
            entryRow.append(Int32(row)); entryColumn.append(Int32(column)); entryValue.append(value)
        }
        for c in 0..<channels {
            for b in 0..<depths {
                let j = c * depths + b
                objective[j] = problem.costs[c][b] / scale
                add(c, j, 1)
                add(channels, j, Double(b * problem.sizes[c]))
                for (i, row) in problem.constraints.enumerated() { add(channels + 1 + i, j, row.costs[c][b]) }
            }
        }
        let columnKind = [Int32](repeating: Int32(CGLPK_COL_BINARY), count: columns)
        let options = cglpk_options(time_limit_seconds: timeLimit ?? 0, mip_gap: mipGap, presolve: presolve ? 1 : 0)
        let raw = GLPKSolver.solveRaw(
            rows: rows, columns: columns, rowKind: rowKind, rowLower: rowLower, rowUpper: rowUpper,
            columnKind: columnKind, objective: objective,
            entryRow: entryRow, entryColumn: entryColumn, entryValue: entryValue, options: options)
        return GLPKSolver.solution(from: raw, problem: problem, depths: depths)
    }

    /// The size of the optimum, guessed from below: the LP bound of the budget form (extra rows
    /// only raise the optimum), else the largest cost; 1 if everything is 0. Only the LP
    /// relaxation is solved (no DP), so a table that is hard for the exact solver costs nothing
    /// here and `timeLimit` stays GLPK's alone.
    static func objectiveScale(_ problem: AllocationProblem) -> Double {
        let bound = ExactSolver.relaxationBound(problem)
        if bound.isNormal {
            return abs(bound)
        }
        let largest = problem.costs.reduce(0.0) { max($0, $1.reduce(0.0) { max($0, abs($1)) }) }
        return largest > 0 ? largest : 1
    }

    /// The outcome of one `cglpk_solve_mip` call.
    struct RawResult {
        var status: cglpk_status
        var point: [Double]
        var seconds: Double
        var message: String
    }

    /// One guarded GLPK solve of a general MIP given as arrays (0-based indices). Exposed to
    /// the tests, which use it to force a GLPK error (an out-of-range row index).
    static func solveRaw(rows: Int, columns: Int, rowKind: [Int32], rowLower: [Double], rowUpper: [Double],
                         columnKind: [Int32], objective: [Double],
                         entryRow: [Int32], entryColumn: [Int32], entryValue: [Double],
                         options: cglpk_options) -> RawResult {
        var point = [Double](repeating: .nan, count: columns)
        let zeros = [Double](repeating: 0, count: columns)
        let ones = [Double](repeating: 1, count: columns)
        let result: cglpk_result = rowKind.withUnsafeBufferPointer { rk in
            rowLower.withUnsafeBufferPointer { rl in
            rowUpper.withUnsafeBufferPointer { ru in
            columnKind.withUnsafeBufferPointer { ck in
            zeros.withUnsafeBufferPointer { cl in
            ones.withUnsafeBufferPointer { cu in
            objective.withUnsafeBufferPointer { ob in
            entryRow.withUnsafeBufferPointer { er in
            entryColumn.withUnsafeBufferPointer { ec in
            entryValue.withUnsafeBufferPointer { ev in
            point.withUnsafeMutableBufferPointer { out in
                var mip = cglpk_mip(
                    rows: Int32(rows), cols: Int32(columns),
                    row_kind: rk.baseAddress, row_lower: rl.baseAddress, row_upper: ru.baseAddress,
                    col_kind: ck.baseAddress, col_lower: cl.baseAddress, col_upper: cu.baseAddress,
                    objective: ob.baseAddress, nonzeros: Int32(entryValue.count),
                    entry_row: er.baseAddress, entry_col: ec.baseAddress, entry_value: ev.baseAddress)
                return cglpk_solve_mip(&mip, options, out.baseAddress)
            }}}}}}}}}}
        }
        let message = withUnsafeBytes(of: result.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RawResult(status: result.status, point: point, seconds: result.seconds, message: message)
    }

    static func solution(from raw: RawResult, problem: AllocationProblem, depths: Int) -> AllocationSolution {
        let status: SolveStatus
        var hasPoint = false
        switch raw.status {
        case CGLPK_STATUS_OPTIMAL: status = .optimal; hasPoint = true
        case CGLPK_STATUS_FEASIBLE: status = .feasible; hasPoint = true
        case CGLPK_STATUS_INFEASIBLE: status = .infeasible
        case CGLPK_STATUS_TIME_LIMIT_FEASIBLE: status = .timeLimit; hasPoint = true
        case CGLPK_STATUS_TIME_LIMIT_NO_POINT: status = .timeLimit
        default: status = .error
        }
        var bits: [Int] = []
        if hasPoint {
            bits = (0..<problem.channels).map { c in
                (0..<depths).max { raw.point[c * depths + $0] < raw.point[c * depths + $1] } ?? 0
            }
        }
        return AllocationSolution(
            status: status, bits: bits,
            objective: bits.isEmpty ? .nan : problem.objective(of: bits),
            rate: bits.isEmpty ? 0 : problem.rate(of: bits),
            lowerBound: nil, seconds: raw.seconds, solver: "glpk", message: raw.message)
    }
}
