/// Why an experiment cannot go on with the data it was given (a parameter at fault is a
/// `ParameterError` instead).
public enum ExperimentError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The bundle or a saved file holds something the experiment cannot use.
    case invalidData(String)

    public var description: String {
        switch self {
        case .invalidData(let message): return message
        }
    }
}
