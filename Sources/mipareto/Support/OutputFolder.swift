import ArgumentParser
import Basics
import Foundation

/// The output folder of a command that writes several files (`front`, `weights`, `select`).
enum OutputFolder {
    /// Refuses a path that exists and is not a folder, before any work is done.
    static func check(_ path: String) throws {
        if URL(fileURLWithPath: path).isExistingFile {
            throw ValidationError("--output \(path): is a file, not a folder")
        }
    }

    /// Replaces the command's files in `path` (created if missing) as one set: after a failure or
    /// a kill at any moment the folder holds either every old file or every new one, and files
    /// of other programs in it are kept (`AtomicDirectory`).
    static func write(_ files: [(name: String, contents: String)], to path: String) throws {
        try AtomicDirectory.write(Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.contents) }), to: URL(fileURLWithPath: path))
    }
}
