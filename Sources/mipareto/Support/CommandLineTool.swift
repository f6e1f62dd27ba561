import ArgumentParser
import Foundation

/// An error that ends a command with a given exit status. Library errors are input errors
/// (exit 2) unless wrapped in one of these.
struct ExitStatusError: Error, CustomStringConvertible {
    var message: String
    var status: Int32
    var description: String { message }

    /// Exit 3: the problem has no feasible point.
    static func infeasible(_ message: String) -> ExitStatusError { .init(message: message, status: 3) }
    /// Exit 4: the time limit ran out before a feasible point was found.
    static func timeLimit(_ message: String) -> ExitStatusError { .init(message: message, status: 4) }
    /// Exit 2: an invalid input file or value.
    static func invalidInput(_ message: String) -> ExitStatusError { .init(message: message, status: 2) }
}

/// Runs a root command with MIPareto's error conventions (DESIGN.md): every error goes to
/// stderr as one or more lines starting with `error:`; invalid input exits 2.
enum CommandLineTool {
    static func main<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) -> Never {
        do {
            var command = try root.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch let error as ExitStatusError {
            printError(error.message)
            exit(error.status)
        } catch {
            let code = root.exitCode(for: error)
            if code == .success {
                // --help, --version and friends.
                print(root.fullMessage(for: error))
                exit(0)
            }
            let isArgumentError = code == .validationFailure || error is ValidationError || "\(type(of: error))".contains("CommandError")
            if isArgumentError {
                printError(root.fullMessage(for: error))
                exit(2)
            }
            printError("\(error)")
            exit(2)
        }
    }

    /// Prints `message` to stderr, each line behind `error: ` (ArgumentParser's own `Error: ` is replaced).
    static func printError(_ message: String) {
        var text = message
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out = "error: " + (lines.first.map(String.init) ?? "")
        for line in lines.dropFirst() { out += "\n" + line }
        FileHandle.standardError.write(Data((out + "\n").utf8))
    }

    static func printWarning(_ message: String) {
        FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
    }
}
