import Basics
import Foundation
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

extension ExperimentError {
    /// The bytes of an optional saved file (a checkpoint's file of a step not reached yet, a
    /// front folder's summary), or nil when there is none; a file that is there but cannot be
    /// read is an error naming it.
    static func readIfPresent(_ url: URL) throws(ExperimentError) -> Data? {
        do { return try InputFile.readIfPresent(url) } catch { throw .invalidData("\(url.path): \(error.reason)") }
    }
}
