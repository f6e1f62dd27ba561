import Foundation

/// A saved NSGA-II run: the problem it belongs to, the settings, and the full state (generation,
/// evaluations, RNG state, population with ranks and crowding). Resuming from it continues bit for
/// bit as if the run had never stopped (numbers are written in shortest round-trip form, which
/// reads back to the same bits).
public struct NSGA2Checkpoint: Codable, Sendable, Equatable {
    public static let formatName = "mipareto-nsga2-checkpoint"
    public static let currentVersion = 1

    public var format: String = NSGA2Checkpoint.formatName
    public var version: Int = NSGA2Checkpoint.currentVersion
    public var problem: String
    public var problemParameters: String
    public var settings: NSGA2Settings
    public var state: NSGA2State

    public init(problem: String, problemParameters: String, settings: NSGA2Settings, state: NSGA2State) {
        self.problem = problem
        self.problemParameters = problemParameters
        self.settings = settings
        self.state = state
    }

    /// JSON text of the checkpoint (±∞ crowding distances as strings, since JSON has no infinity).
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

    /// Reads a checkpoint; a file that is not one (corrupted, truncated, another format) throws
    /// `CheckpointError` with the reason.
    public static func read(from url: URL) throws -> NSGA2Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, path: url.path)
    }

    public static func decode(_ data: Data, path: String = "checkpoint") throws -> NSGA2Checkpoint {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let checkpoint: NSGA2Checkpoint
        do { checkpoint = try decoder.decode(NSGA2Checkpoint.self, from: data) } catch {
            throw CheckpointError(path: path, reason: "not a valid NSGA-II checkpoint (corrupted or another format): \(describe(error))")
        }
        guard checkpoint.format == formatName else {
            throw CheckpointError(path: path, reason: "format is '\(checkpoint.format)', expected '\(formatName)'")
        }
        guard checkpoint.version == currentVersion else {
            throw CheckpointError(path: path, reason: "version \(checkpoint.version) is not supported (expected \(currentVersion))")
        }
        try checkpoint.checkShape(path: path)
        return checkpoint
    }

    /// Throws unless the checkpoint belongs to `problem` (same name, same parameters, same shape).
    public func validate(for problem: any Problem) throws {
        guard self.problem == problem.name, problemParameters == problem.parameterDescription else {
            throw CheckpointError(path: "checkpoint",
                                  reason: "it belongs to problem \(self.problem) (\(problemParameters)), not \(problem.name) (\(problem.parameterDescription))")
        }
        let p = state.population
        guard p.variableCount == problem.variables.count, p.objectiveCount == problem.objectiveCount,
              p.constraintCount == problem.constraintCount else {
            throw CheckpointError(path: "checkpoint", reason: "population shape does not match the problem")
        }
    }

    /// The arrays must have the sizes the counts say (a hand-edited or truncated file may not).
    private func checkShape(path: String) throws {
        let p = state.population
        let ok = p.count == settings.populationSize && p.count >= 0 && p.variableCount > 0 && p.objectiveCount > 0
            && p.constraintCount >= 0
            && p.x.count == p.count * p.variableCount && p.f.count == p.count * p.objectiveCount
            && p.g.count == p.count * p.constraintCount && p.violation.count == p.count
            && p.rank.count == p.count && p.crowding.count == p.count
            && state.generation >= 1 && state.evaluations >= p.count
        guard ok else { throw CheckpointError(path: path, reason: "population arrays are inconsistent (corrupted checkpoint)") }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.keyNotFound(let k, _): return "missing key '\(k.stringValue)'"
        case DecodingError.typeMismatch(_, let c): return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.valueNotFound(_, let c): return "missing value at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}

/// A checkpoint that cannot be used.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
