/// What went wrong with an external evaluator: which evaluator, which request, what, and the
/// last lines of its stderr when it failed.
public struct EvaluatorError: Error, CustomStringConvertible, Sendable {
    /// The evaluator's command line as the user gave it.
    public var command: String
    /// `start`, or `request 7 (64 allocations on search)`.
    public var request: String
    public var problem: String
    public var recentErrorLines: [String]
    /// A problem with what was asked (the evaluator cannot be found, does not serve a split, names
    /// other tasks) rather than with a running evaluator: exit status 2.
    public var isConfiguration: Bool

    public init(command: String, request: String, problem: String, recentErrorLines: [String] = [], isConfiguration: Bool = false) {
        self.command = command
        self.request = request
        self.problem = problem
        self.recentErrorLines = recentErrorLines
        self.isConfiguration = isConfiguration
    }

    public var description: String {
        var text = "evaluator `\(command)`: \(request): \(problem)"
        if !recentErrorLines.isEmpty {
            text += "\nits last stderr lines:\n" + recentErrorLines.map { "  " + $0 }.joined(separator: "\n")
        }
        return text
    }
}
