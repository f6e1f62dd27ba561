/// An error whose message names the library's parameters (`maxBits`, `budgets`, `neighbours`, …).
///
/// The library names its own parameters, so an error reads right from a Swift script
/// (`maxBits 17: must be 1…16`); a command line shows the same error under its flag names
/// (`--max-bits 17: …`). The message is kept as a template in which every parameter name is
/// written `ParameterError.mention(name)`; `description` prints the names as they are and
/// `message(flag:)` maps them.
public protocol ParameterNamingError: Error, CustomStringConvertible {
    /// The message with `ParameterError.mention`s.
    var template: String { get }
}

extension ParameterNamingError {
    public var description: String { message { $0 } }

    /// The message with every mentioned parameter name passed through `flag`.
    public func message(flag: (String) -> String) -> String { ParameterError.render(template, flag: flag) }
}

/// An invalid value of one of the library's parameters.
public struct ParameterError: ParameterNamingError, Sendable, Equatable {
    /// The parameter at fault, as the library names it (camelCase).
    public var parameter: String
    /// The offending value as the user wrote it, if it helps to repeat it.
    public var value: String?
    /// What is wrong, possibly with `mention`s of other parameters.
    public var reason: String

    public init(_ parameter: String, value: String? = nil, _ reason: String) {
        self.parameter = parameter
        self.value = value
        self.reason = reason
    }

    /// `<parameter> <value>: <reason>`.
    public var template: String { Self.mention(parameter) + (value.map { " \($0)" } ?? "") + ": " + reason }

    /// A parameter name inside a message.
    public static func mention(_ parameter: String) -> String { "\u{1}\(parameter)\u{2}" }

    /// `template` with each mention replaced by `flag(name)`.
    public static func render(_ template: String, flag: (String) -> String) -> String {
        var text = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "\u{1}"), let close = rest[open...].firstIndex(of: "\u{2}") {
            text += rest[..<open]
            text += flag(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return text + rest
    }
}
