import Allocation
import ArgumentParser
import Basics
import Foundation
import Inference

/// An error that ends a command with a given exit status.
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

/// Runs a root command with MIPareto's error conventions: every error goes to stderr as one or
/// more lines starting with `error:`; invalid input files and values exit 2, an infeasible
/// problem 3, a time limit without an allocation 4, a solver failure 1. Library errors name the
/// library's parameters; they are shown under this command line's flag names.
enum CommandLineTool {
    static func main<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) -> Never {
        BLASThreads.useCallingThreadOnly()
        do {
            var command = try root.parseAsRoot(arguments)
            try command.run()
            finish(0)
        } catch let error as ExitStatusError {
            printError(error.message)
            finish(error.status)
        } catch let error as AllocationError {
            printError(error.message(flag: Flags.name))
            switch error {
            case .invalidInput: finish(2)
            case .infeasible: finish(3)
            case .solverFailed: finish(1)
            }
        } catch let error as any ParameterNamingError {
            printError(error.message(flag: Flags.name))
            finish(2)
        } catch let error as EvaluatorError {
            // Stop it first, so its last stderr lines come before ours.
            EvaluatorSession.stopAll()
            printError(error.description)
            finish(error.isConfiguration ? 2 : 1)
        } catch {
            let code = root.exitCode(for: error)
            if code == .success {
                // --help, --version and friends.
                print(root.fullMessage(for: error))
                exit(0)
            }
            // Argument errors (ArgumentParser's own) come with the usage line; anything else is
            // a library error about the input: a file, a bundle, a checkpoint.
            printError(code == .validationFailure ? root.fullMessage(for: error) : "\(error)")
            finish(2)
        }
    }

    /// Stops any evaluator still running (`exit` runs no deinitialisers), then exits.
    static func finish(_ status: Int32) -> Never {
        EvaluatorSession.stopAll()
        exit(status)
    }

    /// Prints `message` to stderr, each line behind `error: ` (ArgumentParser's own `Error: ` is replaced).
    static func printError(_ message: String) {
        var text = message
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        FileHandle.standardError.write(Data(("error: " + text + "\n").utf8))
    }

    static func printWarning(_ message: String) {
        FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
    }
}

/// The flag of each library parameter: the camelCase name in kebab case behind `--`, with the
/// few exceptions below.
enum Flags {
    static let exceptions = ["seedFromILP": "--seed-from-ilp", "neighbours": "--neighbors"]

    static func name(_ parameter: String) -> String {
        if let special = exceptions[parameter] { return special }
        var flag = "--"
        for character in parameter {
            if character.isUppercase {
                flag += "-" + character.lowercased()
            } else {
                flag.append(character)
            }
        }
        return flag
    }
}
