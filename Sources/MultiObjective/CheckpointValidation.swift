import Foundation

/// A field of a checkpoint that contradicts the rest: `text` is "field: what".
struct CheckpointFieldProblem: Error {
    let text: String
    init(_ field: String, _ what: String) { text = "\(field): \(what)" }
}

/// Field-by-field checks of a checkpoint: first against itself when it is read (settings, shapes,
/// counts, finite objectives, violations and ranks recomputed, survival memory, archive), then
/// against the problem when a run resumes (variables inside the space, archive inside the space
/// and covering the population).
extension AlgorithmCheckpoint {
    /// The first field that contradicts the others, or nil.
    func internalProblem() -> String? {
        do { try internalChecks() } catch let p as CheckpointFieldProblem { return p.text } catch { return "\(error)" }
        return nil
    }

    private func internalChecks() throws {
        do { try settings.validate() } catch { throw CheckpointFieldProblem("settings", "\(error)") }
        let p = state.population
        let size = settings.populationSize
        let (n, m, k) = (p.variableCount, p.objectiveCount, p.constraintCount)
        guard p.count == size else {
            throw CheckpointFieldProblem("state.population.count", "\(p.count), but settings.populationSize is \(size)")
        }
        guard n > 0 else { throw CheckpointFieldProblem("state.population.variableCount", "must be positive (got \(n))") }
        guard m > 0 else { throw CheckpointFieldProblem("state.population.objectiveCount", "must be positive (got \(m))") }
        guard k >= 0 else { throw CheckpointFieldProblem("state.population.constraintCount", "must not be negative (got \(k))") }
        for (name, actual, width) in [("x", p.x.count, n), ("f", p.f.count, m), ("g", p.g.count, k), ("violation", p.violation.count, 1),
                                      ("rank", p.rank.count, 1), ("crowding", p.crowding.count, 1)]
        where actual != p.count * width {
            throw CheckpointFieldProblem("state.population.\(name)", "\(actual) numbers, expected \(p.count * width) (\(p.count) individuals × \(width))")
        }
        guard state.generation >= 1 else { throw CheckpointFieldProblem("state.generation", "must be at least 1 (got \(state.generation))") }
        let offspring = settings.offspringCount ?? size
        let (later, overflow) = (state.generation - 1).multipliedReportingOverflow(by: offspring)
        let most = overflow ? Int.max : size.addingReportingOverflow(later).partialValue
        guard state.evaluations >= size, state.evaluations <= most, state.generation > 1 || state.evaluations == size else {
            throw CheckpointFieldProblem("state.evaluations", "\(state.evaluations) is impossible after \(state.generation) generations of \(size) (\(size)…\(most))")
        }

        for i in 0..<p.count {
            for j in 0..<m where !p.f[i * m + j].isFinite {
                throw CheckpointFieldProblem("state.population.f[\(i)][\(j)]", "not finite (\(p.f[i * m + j]))")
            }
            var total = 0.0
            for j in 0..<k {
                let g = p.g[i * k + j]
                guard g.isFinite else { throw CheckpointFieldProblem("state.population.g[\(i)][\(j)]", "not finite (\(g))") }
                if g > 0 { total += g }
            }
            // The same sum in the same order as the evaluator: bit for bit.
            guard p.violation[i] == total else {
                throw CheckpointFieldProblem("state.population.violation[\(i)]", "\(p.violation[i]), but its constraint values give \(total)")
            }
            guard !p.crowding[i].isNaN, p.crowding[i] >= 0 else {
                throw CheckpointFieldProblem("state.population.crowding[\(i)]", "must be ≥ 0 or inf (got \(p.crowding[i]))")
            }
        }
        // Survivors are whole fronts plus part of the next one, so sorting the feasible survivors
        // again gives the ranks survival gave them; infeasible survivors carry Int32.max.
        let (feasible, infeasible) = FeasibilitySplit.split(p)
        for i in infeasible where p.rank[i] != Int(Int32.max) {
            throw CheckpointFieldProblem("state.population.rank[\(i)]", "\(p.rank[i]) for an infeasible individual (expected \(Int32.max))")
        }
        var fs: [Double] = []
        fs.reserveCapacity(feasible.count * m)
        for i in feasible { fs.append(contentsOf: p.f[(i * m)..<((i + 1) * m)]) }
        let ranks = fs.withUnsafeBufferPointer { NonDominatedSorting.ranks($0, count: feasible.count, dimension: m) }
        for (r, i) in feasible.enumerated() where p.rank[i] != ranks[r] {
            throw CheckpointFieldProblem("state.population.rank[\(i)]", p.rank[i] < 0 ? "\(p.rank[i]) is negative"
                                         : "\(p.rank[i]), but non-dominated sorting of the population gives \(ranks[r])")
        }

        if let problem = settings.survival.memoryProblem(state.survivalMemory, objectiveCount: m) {
            throw CheckpointFieldProblem("state.survivalMemory", problem)
        }
        switch (state.archive, settings.keepsArchive) {
        case (nil, true): throw CheckpointFieldProblem("state.archive", "missing, but settings.keepsArchive is true")
        case (.some, false): throw CheckpointFieldProblem("state.archive", "present, but settings.keepsArchive is false")
        case (let archive?, true):
            guard archive.variableCount == n, archive.objectiveCount == m else {
                throw CheckpointFieldProblem("state.archive", "points of \(archive.variableCount) variables and \(archive.objectiveCount) objectives, the population's have \(n) and \(m)")
            }
            guard archive.count <= state.evaluations else {
                throw CheckpointFieldProblem("state.archive.count", "\(archive.count) points from \(state.evaluations) evaluations")
            }
        default: break
        }
    }

    /// The checks that need the problem; returns the survival prepared for it.
    func problemChecks(_ problem: any Problem) throws -> any Survival {
        let p = state.population
        guard p.variableCount == problem.variables.count, p.objectiveCount == problem.objectiveCount,
              p.constraintCount == problem.constraintCount else {
            throw CheckpointFieldProblem("state.population", "\(p.variableCount) variables, \(p.objectiveCount) objectives and \(p.constraintCount) constraints; the problem has \(problem.variables.count), \(problem.objectiveCount) and \(problem.constraintCount)")
        }
        let space = problem.variables
        let n = p.variableCount
        for i in 0..<p.count {
            if let problem = space.problem(with: p.x[(i * n)..<((i + 1) * n)]) {
                throw CheckpointFieldProblem("state.population.x[\(i)]", problem)
            }
        }
        let survival: any Survival
        do { survival = try settings.survival.prepared(objectiveCount: p.objectiveCount, populationSize: p.count) } catch {
            throw CheckpointFieldProblem("settings.survival", "\(error)")
        }
        if let archive = state.archive {
            if let problem = archive.problem(space: space) { throw CheckpointFieldProblem("state.archive", problem) }
            // Every individual was evaluated, so the archive holds it or something no worse.
            let m = p.objectiveCount
            try p.f.withUnsafeBufferPointer { f in
                for i in 0..<p.count where p.violation[i] == 0 && !archive.covers(f.baseAddress! + i * m) {
                    throw CheckpointFieldProblem("state.archive", "nothing in it is as good as population member \(i), which was evaluated")
                }
            }
        }
        return survival
    }
}
