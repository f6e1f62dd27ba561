import Foundation

/// Evaluates rows of a population: objectives, constraints and total violation.
///
/// A `BatchEvaluatingProblem` gets the rows in one call (it parallelises, or shares work between
/// rows, itself); other problems are evaluated row by row.
///
/// With `parallel`, rows are split into fixed chunks run by `DispatchQueue.concurrentPerform`;
/// each row is written by exactly one task and depends only on its own variables, so the result is
/// the same for any number of threads. Parallelism pays only for expensive problems (a ZDT
/// evaluation takes ~50 ns, less than dispatching a task), hence off by default.
public struct PopulationEvaluator: Sendable {
    public var parallel: Bool
    public init(parallel: Bool = false) { self.parallel = parallel }

    public func evaluate(_ problem: any Problem, _ population: inout Population, rows: Range<Int>) {
        guard !rows.isEmpty else { return }
        let n = population.variableCount, m = population.objectiveCount, k = population.constraintCount
        if let batched = problem as? any BatchEvaluatingProblem {
            batched.evaluate(&population, rows: rows)
            for r in rows {
                var total = 0.0
                for j in 0..<k where population.g[r * k + j] > 0 { total += population.g[r * k + j] }
                population.violation[r] = total
            }
            return
        }
        population.x.withUnsafeBufferPointer { xs in
            population.f.withUnsafeMutableBufferPointer { fs in
                population.g.withUnsafeMutableBufferPointer { gs in
                    population.violation.withUnsafeMutableBufferPointer { vs in
                        // Raw addresses cross into the worker closure; each row touches disjoint slices.
                        let xb = xs.baseAddress!, fb = fs.baseAddress!, gb = gs.baseAddress, vb = vs.baseAddress!
                        let one: (Int) -> Void = { r in
                            let gp = UnsafeMutableBufferPointer(start: k > 0 ? gb! + r * k : nil, count: k)
                            problem.evaluate(UnsafeBufferPointer(start: xb + r * n, count: n),
                                             objectives: UnsafeMutableBufferPointer(start: fb + r * m, count: m),
                                             constraints: gp)
                            var total = 0.0
                            for j in 0..<k where gp[j] > 0 { total += gp[j] }
                            vb[r] = total
                        }
                        if parallel && rows.count > 1 {
                            let chunks = min(rows.count, 4 * max(1, ProcessInfo.processInfo.activeProcessorCount))
                            let lo = rows.lowerBound, total = rows.count
                            withoutActuallyEscaping(one) { body in
                                nonisolated(unsafe) let body = body
                                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                                    let a = lo + c * total / chunks, b = lo + (c + 1) * total / chunks
                                    for r in a..<b { body(r) }
                                }
                            }
                        } else {
                            for r in rows { one(r) }
                        }
                    }
                }
            }
        }
    }
}
