import Allocation
import ArgumentParser
import Foundation
import Reporting

/// `mipareto solve PROBLEM.json`: the bit-allocation integer program alone, for scripts.
struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Solve a bit-allocation integer program given as a JSON file.",
        discussion: """
        The file picks one bit depth b_c in 0…B for every channel c:

          {"maxRate": R,
           "sizes": [S_0, S_1, …],
           "costs": [[cost of channel 0 at b = 0, 1, …, B], …],
           "constraints": [{"costs": [[…], …], "max": v}, …]}

        minimise Σ_c costs[c][b_c] subject to Σ_c b_c·S_c ≤ R (R in bits, S_c = elements of \
        channel c) and Σ_c constraints[i].costs[c][b_c] ≤ max_i for every extra row ("constraints" \
        is optional). The answer's rate is Σ_c b_c·S_c.

        Solvers: `exact` (default without extra rows) solves the budget form to proven optimality; \
        it refuses problems with "constraints", and stops with status "timeLimit" (its greedy \
        allocation and the LP bound) when its DP outgrows 30 million states or --time-limit, \
        which tables built like subset sum can make it do. `glpk` (default with extra rows) \
        solves any form with GLPK's branch and cut.

        Exit status: 0 solved (also a GLPK time limit with a feasible allocation: status \
        "timeLimit"), 2 invalid input, 3 infeasible, 4 time limit before any feasible allocation \
        or the exact solver stopped before proving optimality, 1 solver failure.
        """
    )

    @Argument(help: ArgumentHelp("The problem file (JSON, see above).", valueName: "problem.json"))
    var problemFile: String

    @Option(help: "exact or glpk (default: exact for the budget form, glpk when the file has constraints).")
    var solver: AllocationSolverChoice?

    @Option(help: ArgumentHelp("Stop the solver after this many seconds and report the best allocation found.", valueName: "seconds"))
    var timeLimit: Double?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let limit = timeLimit, !(limit > 0 && limit.isFinite) {
            throw ValidationError("--time-limit \(limit): must be a positive number of seconds")
        }
    }

    func run() throws {
        let problem: AllocationProblem
        do {
            problem = try AllocationProblem(contentsOf: URL(fileURLWithPath: problemFile))
        } catch {
            throw ExitStatusError.invalidInput(error.message)
        }
        let choice = solver ?? (problem.constraints.isEmpty ? .exact : .glpk)
        let solution: AllocationSolution
        switch choice {
        case .exact:
            do {
                solution = try ExactSolver.solve(problem, timeLimit: timeLimit)
            } catch {
                throw ExitStatusError.invalidInput("\(problemFile): \(error.message) (--solver glpk)")
            }
        case .glpk:
            solution = GLPKSolver(timeLimit: timeLimit).solve(problem)
        }

        output.emit(json: Self.json(solution, problem: problem), text: Self.text(solution, problem: problem))
        switch solution.status {
        case .optimal, .feasible:
            return
        case .timeLimit where solution.solver == "exact":
            throw ExitStatusError.timeLimit("\(problemFile): \(solution.message) (objective \(solution.objective), lower bound \(solution.lowerBound ?? .nan)); try --solver glpk --time-limit SECONDS")
        case .timeLimit where solution.hasAllocation:
            return
        case .timeLimit:
            throw ExitStatusError.timeLimit("\(problemFile): the time limit ran out before GLPK found a feasible allocation")
        case .infeasible:
            throw ExitStatusError.infeasible("\(problemFile): infeasible: no allocation satisfies the rate limit and every constraint (\(solution.message))")
        case .error:
            throw ExitStatusError(message: "\(problemFile): the \(solution.solver) solver failed: \(solution.message)", status: 1)
        }
    }

    static func json(_ solution: AllocationSolution, problem: AllocationProblem) -> JSONValue {
        let has = solution.hasAllocation
        var members: [(String, JSONValue)] = [
            ("status", .string(solution.status.rawValue)),
            ("bits", .ints(solution.bits)),
            ("objective", has ? .number(solution.objective) : .null),
            ("rate", has ? .int(solution.rate) : .null),
            ("maxRate", .number(problem.maxRate)),
            ("optimal", .bool(solution.optimal)),
            ("seconds", .number(solution.seconds)),
            ("solver", .string(solution.solver)),
        ]
        if let bound = solution.lowerBound { members.append(("lowerBound", .number(bound))) }
        members.append(("message", .string(solution.message)))
        return .object(members)
    }

    static func text(_ solution: AllocationSolution, problem: AllocationProblem) -> String {
        var out = "status     \(solution.status.rawValue) (\(solution.solver)\(solution.optimal ? ", proven optimal" : ""))\n"
        if solution.hasAllocation {
            out += "objective  \(solution.objective)\n"
            out += "rate       \(solution.rate) bits (limit \(JSONValue.number(problem.maxRate).rendered()))\n"
        }
        if let bound = solution.lowerBound { out += "bound      \(bound)\n" }
        out += "seconds    \(String(format: "%.6f", solution.seconds))\n"
        if solution.hasAllocation { out += "bits       \(solution.bits.map(String.init).joined(separator: " "))\n" }
        return out
    }
}
