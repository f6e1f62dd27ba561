import Basics

/// Invalid input to an estimator, described so a command can print `error: <what>`.
public enum ImportanceError: ParameterNamingError, Equatable {
    /// A value is NaN or infinite (feature index, sample index).
    case nonFiniteValue(feature: Int, sample: Int)
    /// `k` must be at least 1 and smaller than every class (else the class has no k-th neighbour).
    case neighboursTooLarge(neighbours: Int, smallestClass: Int)
    case invalidNeighbours(Int)
    case shapeMismatch(String)
    case invalidArgument(String)

    public var template: String {
        switch self {
        case let .nonFiniteValue(feature, sample):
            return "feature \(feature) has a non-finite value (NaN or infinity) at sample \(sample)"
        case let .neighboursTooLarge(k, smallest):
            return "\(ParameterError.mention("neighbours")) \(k) is not smaller than the smallest class (\(smallest) samples)"
        case let .invalidNeighbours(k):
            return "\(ParameterError.mention("neighbours")) must be at least 1 (got \(k))"
        case let .shapeMismatch(what):
            return "shape mismatch: \(what)"
        case let .invalidArgument(what):
            return what
        }
    }
}
