import ArgumentParser
import Foundation
import Reporting

/// `--json` and `--quiet`, shared by every command that computes something.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object on stdout and nothing else.")
    var json = false

    @Flag(name: .long, help: "No progress output on stderr.")
    var quiet = false

    /// Prints the JSON document (with `--json`) or the readable text.
    func emit(json document: @autoclosure () -> JSONValue, text: @autoclosure () -> String) {
        if json {
            print(document().rendered(pretty: true))
        } else {
            print(text(), terminator: "")
        }
    }
}
