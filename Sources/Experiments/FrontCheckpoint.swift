import Basics
import FeatureData
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Inference
import MultiObjective

/// A `front` run's saved progress in a folder, so a killed run resumes where it stopped and writes
/// the same files as a run never stopped:
///
/// * `run.json` — the run's identity: bundle name, a fingerprint of its features, the settings;
/// * `points-<seed>-<method>.json` — the allocations of every completed method and seed (their
///   scores are recomputed: scoring is deterministic, so the output is the same);
/// * `nsga2-<seed>.json` — the NSGA-II state after the last completed generation (`NSGA2Checkpoint`).
///
/// Every file is written atomically (temporary file, then rename), so a kill never leaves a
/// half-written one.
public final class FrontCheckpoint: @unchecked Sendable {
    public struct Identity: Codable, Equatable, Sendable {
        public static let formatName = "mipareto-front-checkpoint"
        public var format = Identity.formatName
        public var version = 2
        public var bundle: String
        /// `FrontCheckpoint.fingerprint(of:)` of the bundle.
        public var fingerprint: String
        public var settings: FrontSettings
        /// `MetricSource.kind`: `heads` or `evaluator` (not the evaluator's command line).
        public var scoring: String

        public init(bundle: String, fingerprint: String, settings: FrontSettings, scoring: String = MetricSource.heads.kind) {
            self.bundle = bundle
            self.fingerprint = fingerprint
            self.settings = settings
            self.scoring = scoring
        }
    }

    struct CompletedMethod: Codable {
        var method: String
        var seed: Int
        var allocations: [[Int]]
    }

    public let directory: URL
    public let identity: Identity

    /// Starts a checkpoint in `directory` (created if missing). A folder that already holds a
    /// checkpoint is refused: continuing it is `resume`'s job, and mixing two runs would be wrong.
    public init(creating directory: URL, identity: Identity) throws {
        self.directory = directory
        self.identity = identity
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ParameterError("checkpoint", value: directory.path, "is a file, not a folder") }
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("run.json").path) {
                throw ParameterError("checkpoint", value: directory.path, "already holds a checkpoint; continue it with \(ParameterError.mention("resume")) \(directory.path), or give an empty folder")
            }
        } else {
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
                throw ParameterError("checkpoint", value: directory.path, "cannot create the folder: \(error.localizedDescription)")
            }
        }
        try write(Self.encode(identity), name: "run.json")
    }

    /// Opens a checkpoint written by `init(creating:)`; throws when it belongs to another bundle or
    /// other settings, naming what differs.
    public init(resuming directory: URL, identity: Identity) throws {
        self.directory = directory
        self.identity = identity
        // Temporary files of a killed run: never read, so only removed.
        AtomicFile.removeLeftovers(in: directory)
        let url = directory.appendingPathComponent("run.json")
        let present: Data?
        do { present = try InputFile.readIfPresent(url) } catch { throw ParameterError("resume", value: url.path, error.reason) }
        guard let data = present else {
            throw ParameterError("resume", value: directory.path, "no checkpoint there (run.json is missing); start one with \(ParameterError.mention("checkpoint"))")
        }
        let saved: Identity
        do { saved = try JSONDecoder().decode(Identity.self, from: data) } catch {
            throw ParameterError("resume", value: url.path, "not a front checkpoint (\(error.localizedDescription))")
        }
        guard saved.format == Identity.formatName, saved.version == identity.version else {
            throw ParameterError("resume", value: url.path, "format \(saved.format) version \(saved.version) is not a front checkpoint of this version")
        }
        guard saved.bundle == identity.bundle, saved.fingerprint == identity.fingerprint else {
            throw ParameterError("resume", value: directory.path, "the checkpoint is of bundle \(saved.bundle) (fingerprint \(saved.fingerprint)), not of \(identity.bundle) (fingerprint \(identity.fingerprint))")
        }
        guard saved.scoring == identity.scoring else {
            throw ParameterError("resume", value: directory.path, "the checkpoint's metrics came from the \(saved.scoring == "heads" ? "bundle's heads" : "evaluator"), this run's from the \(identity.scoring == "heads" ? "bundle's heads" : "evaluator")")
        }
        guard saved.settings == identity.settings else {
            throw ParameterError("resume", value: directory.path, "the checkpoint was made with other settings (\(Self.difference(saved.settings, identity.settings))); give the same " + ["methods", "budgets", "maxBits", "seeds", "population", "generations"].map(ParameterError.mention).joined(separator: ", ") + " and \(ParameterError.mention("seedFromILP"))")
        }
    }

    /// The allocations of `method` for `seed`, if that method completed before; each one is
    /// checked against the run (`channels` depths in 0…maxBits, each allocation once, as many as
    /// the method makes).
    func completed(method: String, seed: Int, channels: Int) throws -> [[Int]]? {
        let url = directory.appendingPathComponent(Self.pointsName(method: method, seed: seed))
        guard let data = try ExperimentError.readIfPresent(url) else { return nil }
        let saved: CompletedMethod
        do { saved = try JSONDecoder().decode(CompletedMethod.self, from: data) } catch {
            throw ExperimentError.invalidData("\(url.path): corrupted (\(error))")
        }
        guard saved.method == method, saved.seed == seed else {
            throw ExperimentError.invalidData("\(url.path): holds method \(saved.method) seed \(saved.seed), not \(method) seed \(seed)")
        }
        let most = Self.mostAllocations(method: method, settings: identity.settings, channels: channels)
        guard (1...max(1, most)).contains(saved.allocations.count) else {
            throw ExperimentError.invalidData("\(url.path): allocations: \(saved.allocations.count) allocations; \(method) makes 1…\(most) in this run")
        }
        var seen = Set<[Int]>()
        for (i, bits) in saved.allocations.enumerated() {
            if let problem = Quantiser.validate(bits: bits, channels: channels, maxBits: identity.settings.maxBits) {
                throw ExperimentError.invalidData("\(url.path): allocations[\(i)]: \(problem)")
            }
            guard seen.insert(bits).inserted else {
                throw ExperimentError.invalidData("\(url.path): allocations[\(i)]: the same allocation as an earlier one (each is kept once)")
            }
        }
        if method == FrontMethod.uniform.name, let bad = saved.allocations.firstIndex(where: { Set($0).count != 1 }) {
            throw ExperimentError.invalidData("\(url.path): allocations[\(bad)]: not the same depth on every channel (method uniform)")
        }
        return saved.allocations
    }

    /// How many distinct allocations `method` can make: one per budget for the sweeps, one per
    /// depth for uniform, one per k for select; a search's archive holds at most every allocation
    /// it scored (each generation's population) and the seeds archived with it (the other methods').
    static func mostAllocations(method: String, settings: FrontSettings, channels: Int) -> Int {
        switch FrontMethod(name: method) {
        case .ilp?, .twoLevel?: return settings.budgets.count
        case .uniform?: return settings.maxBits + 1
        case .select?: return channels
        case .nsga2?, .nsga3?, nil:
            return settings.population * max(1, settings.generations) + settings.methods.count * max(settings.budgets.count, settings.maxBits + 1, channels)
        }
    }

    func saveCompleted(method: String, seed: Int, allocations: [[Int]]) throws {
        try write(Self.encode(CompletedMethod(method: method, seed: seed, allocations: allocations)), name: Self.pointsName(method: method, seed: seed))
    }

    /// The search method `method` (`nsga2`, `nsga3`) for `seed` resumed from its saved state, or
    /// nil when none is saved; the state must be this run's (settings, generations, archive).
    func resumeSearch(method: String, seed: Int, problem: any Problem, settings: AlgorithmSettings) throws -> GeneticAlgorithm? {
        guard let saved = try searchState(method: method, seed: seed) else { return nil }
        let path = directory.appendingPathComponent("\(method)-\(seed).json").path
        guard saved.settings.keepsArchive, saved.state.archive != nil else {
            throw ExperimentError.invalidData("\(path): made by an older version without the archive; start the run again")
        }
        guard saved.settings == settings else {
            throw ExperimentError.invalidData("\(path): settings: not this run's \(method == "nsga3" ? "NSGA-III" : "NSGA-II") settings (population \(saved.settings.populationSize), this run \(settings.populationSize))")
        }
        guard saved.state.generation <= identity.settings.generations else {
            throw ExperimentError.invalidData("\(path): state.generation: \(saved.state.generation), but the run has \(identity.settings.generations) generations")
        }
        do { return try GeneticAlgorithm(resuming: saved, problem: problem) } catch let error as CheckpointError {
            throw ExperimentError.invalidData("\(path): \(error.reason)")
        }
    }

    /// The state of the search method `method` (`nsga2`, `nsga3`) for `seed` after its last
    /// completed generation, in `<method>-<seed>.json`.
    func searchState(method: String, seed: Int) throws -> AlgorithmCheckpoint? {
        let url = directory.appendingPathComponent("\(method)-\(seed).json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try AlgorithmCheckpoint.read(from: url) } catch let error as CheckpointError {
            throw ExperimentError.invalidData("\(url.path): \(error.reason)")
        } catch { throw ExperimentError.invalidData("\(url.path): \(error)") }
    }

    func saveSearchState(_ checkpoint: AlgorithmCheckpoint, method: String, seed: Int) throws {
        let data: Data
        do { data = try checkpoint.encoded() } catch { throw ExperimentError.invalidData("checkpoint: cannot encode the \(method) state: \(error)") }
        try write(data, name: "\(method)-\(seed).json")
    }

    static func pointsName(method: String, seed: Int) -> String { "points-\(seed)-\(method).json" }

    // MARK: - Scores an evaluator gave

    /// One line of `scores-<split>.jsonl`: a batch of allocations and the metrics they got.
    struct ScoredBatch: Codable {
        var bits: [[Int]]
        var metrics: [[Double]]
        var coded: [Double]?
    }

    static func scoresName(_ split: Split) -> String { "scores-\(split.rawValue).jsonl" }

    /// The scores saved for `split`, each checked against the run (`channels` depths in
    /// 0…maxBits, one finite metric per task). A last line a kill cut short is ignored.
    func storedScores(split: Split, channels: Int, tasks: Int) throws -> [(bits: [Int], metrics: [Double], coded: Double?)] {
        let url = directory.appendingPathComponent(Self.scoresName(split))
        guard let data = try ExperimentError.readIfPresent(url) else { return [] }
        var out: [(bits: [Int], metrics: [Double], coded: Double?)] = []
        let lines = data.split(separator: 10, omittingEmptySubsequences: false)
        // Only newline-terminated lines are complete.
        for (number, line) in lines.dropLast().enumerated() where !line.isEmpty {
            let batch: ScoredBatch
            do { batch = try JSONDecoder().decode(ScoredBatch.self, from: Data(line)) } catch {
                throw ExperimentError.invalidData("\(url.path): line \(number + 1): corrupted (\(error))")
            }
            guard batch.metrics.count == batch.bits.count, batch.coded.map({ $0.count == batch.bits.count }) ?? true else {
                throw ExperimentError.invalidData("\(url.path): line \(number + 1): \(batch.bits.count) allocations, \(batch.metrics.count) metric rows")
            }
            for (k, bits) in batch.bits.enumerated() {
                if let problem = Quantiser.validate(bits: bits, channels: channels, maxBits: identity.settings.maxBits) {
                    throw ExperimentError.invalidData("\(url.path): line \(number + 1): bits[\(k)]: \(problem)")
                }
                let metrics = batch.metrics[k]
                guard metrics.count == tasks, metrics.allSatisfy(\.isFinite) else {
                    throw ExperimentError.invalidData("\(url.path): line \(number + 1): metrics[\(k)] must be \(tasks) finite numbers")
                }
                let coded = batch.coded?[k]
                if let coded, !(coded.isFinite && coded >= 0) {
                    throw ExperimentError.invalidData("\(url.path): line \(number + 1): coded[\(k)] must be a finite number ≥ 0")
                }
                out.append((bits, metrics, coded))
            }
        }
        return out
    }

    /// Appends a batch of scores for `split` as one line (one `write`, so a kill leaves at most
    /// one unterminated line, which `storedScores` ignores).
    func appendScores(split: Split, allocations: [[Int]], evaluations: [Evaluation]) throws {
        let batch = ScoredBatch(bits: allocations, metrics: evaluations.map { $0.tasks.map(\.metric) },
                                coded: evaluations.contains { $0.codedBitsPerSample != nil } ? evaluations.map { $0.codedBitsPerSample ?? 0 } : nil)
        var line = try Self.encode(batch)
        line.append(10)
        let url = directory.appendingPathComponent(Self.scoresName(split))
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { throw FileWriteError(path: url.path, reason: "cannot append: \(String(cString: strerror(errno)))") }
    }

    private static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return try encoder.encode(value) } catch { throw ExperimentError.invalidData("checkpoint: cannot encode: \(error)") }
    }

    private func write(_ data: Data, name: String) throws {
        try AtomicFile.write(data, to: directory.appendingPathComponent(name))
    }

    private static func difference(_ a: FrontSettings, _ b: FrontSettings) -> String {
        var parts: [String] = []
        if a.methods != b.methods { parts.append("methods \(a.methods.joined(separator: ",")) vs \(b.methods.joined(separator: ","))") }
        if a.budgets != b.budgets { parts.append("budgets differ") }
        if a.maxBits != b.maxBits { parts.append("max bits \(a.maxBits) vs \(b.maxBits)") }
        if a.seeds != b.seeds { parts.append("seeds \(a.seeds) vs \(b.seeds)") }
        if a.population != b.population { parts.append("population \(a.population) vs \(b.population)") }
        if a.generations != b.generations { parts.append("generations \(a.generations) vs \(b.generations)") }
        if a.seedFromILP != b.seedFromILP { parts.append("seed-from-ilp \(a.seedFromILP) vs \(b.seedFromILP)") }
        return parts.joined(separator: "; ")
    }

    /// A 64-bit FNV-1a-style hash of the bundle's name, tasks, shapes and every feature value (fit
    /// and eval), as 16 hex digits: two bundles with the same name but other data differ.
    public static func fingerprint(of bundle: FeatureBundle) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: UInt64) { h = (h ^ v) &* 0x0000_0100_0000_01b3 }
        for byte in bundle.name.utf8 { mix(UInt64(byte)) }
        for task in bundle.tasks { for byte in task.name.utf8 { mix(UInt64(byte)) } }
        for stream in bundle.streams {
            // Stream names only in a bundle of several, so a one-tensor bundle's hash stays as it was.
            if bundle.isMultiStream { for byte in stream.name.utf8 { mix(UInt64(byte)) } }
            for d in stream.sampleShape { mix(UInt64(d)) }
        }
        for split in [BundleSplit.fit, .eval] {
            for stream in bundle.streams {
                guard let source = stream.sources[split] else { continue }
                mix(UInt64(source.samples))
                // Sample after sample, in blocks of whole samples: the file's order, bounded memory.
                let step = Swift.max(1, (1 << 22) / Swift.max(1, source.count / source.samples))
                for first in stride(from: 0, to: source.samples, by: step) {
                    let t = FeatureBundle.readOrStop { try source.block(channels: 0..<source.channels, samples: Array(first..<Swift.min(source.samples, first + step))) }
                    t.values.withUnsafeBufferPointer { values in
                        for v in values { mix(UInt64(v.bitPattern)) }
                    }
                }
                source.releasePages()
            }
        }
        return String(h, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
