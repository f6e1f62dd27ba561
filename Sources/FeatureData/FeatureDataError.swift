/// An error in a user's input file: which file, and what is wrong with it.
///
/// `description` is `<file>: <what>`; the command line prints it behind `error: `.
public struct FeatureDataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or directory) the problem is in, as the user named it or as it sits in the bundle.
    public var file: String
    /// What is wrong, in words.
    public var message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
