import Foundation

/// A saved run: the problem it belongs to, the settings (its parts by kind, with their
/// parameters) and the full state (generation, evaluations, generator state, population with
/// ranks and crowding, survival memory, archive). Resuming from it continues bit for bit as if the
/// run had never stopped (numbers are written in shortest round-trip form, which reads back to the
/// same bits).
///
/// A checkpoint is someone else's file: reading it checks every field against the others, and
/// resuming checks it against the problem (`CheckpointValidation.swift`); a corrupt one is a
/// `CheckpointError` naming the field, never a crash or a silently different run.
public struct AlgorithmCheckpoint: Codable, Sendable, Equatable {
    public static let formatName = "mipareto-algorithm-checkpoint"
    public static let currentVersion = 2
    /// Version 1, NSGA-II only (no selection, survival, memory or archive); still read.
    public static let version1FormatName = "mipareto-nsga2-checkpoint"

    public var format: String = AlgorithmCheckpoint.formatName
    public var version: Int = AlgorithmCheckpoint.currentVersion
    public var problem: String
    public var problemParameters: String
    public var settings: AlgorithmSettings
    public var state: AlgorithmState

    public init(problem: String, problemParameters: String, settings: AlgorithmSettings, state: AlgorithmState) {
        self.problem = problem
        self.problemParameters = problemParameters
        self.settings = settings
        self.state = state
    }

    /// JSON text of the checkpoint (±∞ as strings, since JSON has no infinity).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Writes the checkpoint atomically (temporary file, then rename): an interrupted write never
    /// destroys the previous checkpoint.
    public func write(to url: URL) throws {
        try encoded().write(to: url, options: .atomic)
    }

    /// Reads a checkpoint; a file that is not one (corrupted, truncated, another format, fields
    /// that contradict each other) throws `CheckpointError` with the field and the reason.
    /// `catalog` must know every part the run used (the built-in ones by default).
    public static func read(from url: URL, catalog: PartCatalog = .builtIn) throws -> AlgorithmCheckpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, path: url.path, catalog: catalog)
    }

    public static func decode(_ data: Data, path: String = "checkpoint", catalog: PartCatalog = .builtIn) throws -> AlgorithmCheckpoint {
        struct Header: Decodable { var format: String; var version: Int }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: Header
        do { header = try decoder.decode(Header.self, from: data) } catch {
            throw CheckpointError(path: path, reason: "not a valid checkpoint (corrupted or another format): \(describe(error))")
        }
        switch (header.format, header.version) {
        case (formatName, currentVersion), (version1FormatName, 1): break
        case (formatName, _), (version1FormatName, _):
            throw CheckpointError(path: path, reason: "version: \(header.version) is not supported (expected \(currentVersion), or 1 for \(version1FormatName))")
        default:
            throw CheckpointError(path: path, reason: "format: '\(header.format)', expected '\(formatName)'")
        }
        decoder.userInfo[.checkpointVersion] = header.version
        decoder.userInfo[.partCatalog] = catalog
        var checkpoint: AlgorithmCheckpoint
        do { checkpoint = try decoder.decode(AlgorithmCheckpoint.self, from: data) } catch {
            throw CheckpointError(path: path, reason: "not a valid checkpoint (corrupted or another format): \(describe(error))")
        }
        // In memory it is a current checkpoint (a version-1 file was read into the current layout).
        checkpoint.format = formatName
        checkpoint.version = currentVersion
        if let problem = checkpoint.internalProblem() { throw CheckpointError(path: path, reason: problem) }
        return checkpoint
    }

    /// Throws unless the checkpoint belongs to `problem` (same name, parameters and shape, every
    /// individual and archived point inside its space); returns the survival prepared for it.
    @discardableResult
    public func validate(for problem: any Problem) throws -> any Survival {
        guard self.problem == problem.name, problemParameters == problem.parameterDescription else {
            throw CheckpointError(path: "checkpoint",
                                  reason: "problem: it belongs to problem \(self.problem) (\(problemParameters)), not \(problem.name) (\(problem.parameterDescription))")
        }
        do { return try problemChecks(problem) } catch let reason as CheckpointFieldProblem {
            throw CheckpointError(path: "checkpoint", reason: reason.text)
        }
    }

    static func describe(_ error: any Error) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map(\.stringValue).joined(separator: ".")
            return p.isEmpty ? "" : "\(p): "
        }
        switch error {
        case DecodingError.dataCorrupted(let c): return path(c) + c.debugDescription
        case DecodingError.keyNotFound(let k, let c): return path(c) + "missing key '\(k.stringValue)'"
        case DecodingError.typeMismatch(_, let c): return path(c) + "wrong type"
        case DecodingError.valueNotFound(_, let c): return path(c) + "missing value"
        default: return "\(error)"
        }
    }
}

/// The name NSGA-II callers know.
public typealias NSGA2Checkpoint = AlgorithmCheckpoint

/// A checkpoint that cannot be used: `reason` starts with the field (`state.population.rank[3]:
/// …`).
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}
