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

    /// Writes every file into `path` (created if missing); the files are all made before this is
    /// called, so a failing run never touches the folder.
    static func write(_ files: [(name: String, contents: String)], to path: String) throws {
        let directory = URL(fileURLWithPath: path)
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw ExitStatusError.invalidInput("-o \(path): cannot create the folder: \(error.localizedDescription)")
        }
        for (name, contents) in files {
            try AtomicFile.write(contents, to: directory.appendingPathComponent(name))
        }
    }
}
