import Basics

/// Why an allocation could not be made, in words a command can print behind `error: `.
public enum AllocationError: ParameterNamingError, Equatable, Sendable {
    /// A value or option the model cannot accept (a negative budget, an unknown task, …): exit 2.
    case invalidInput(String)
    /// The ε form has no solution; `task` is the first task whose bound no allocation meets
    /// (nil when only the rate limit and the bounds together are infeasible): exit 3.
    case infeasible(task: String?, message: String)
    /// The solver failed (a GLPK error, a time limit without an allocation): exit 1.
    case solverFailed(String)

    /// A parameter error of the model's input.
    public init(_ error: ParameterError) { self = .invalidInput(error.template) }

    public var template: String {
        switch self {
        case let .invalidInput(message), let .infeasible(_, message), let .solverFailed(message): return message
        }
    }
}
