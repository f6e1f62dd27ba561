import Foundation

/// A swappable piece of an evolutionary algorithm — mating selection, crossover, mutation or
/// survival — in the manner of pymoo's `core/`. A part is a value holding its settings. It is
/// Codable so that a checkpoint records which parts a run used: by `kind` (a stable name) and
/// parameters; `PartCatalog` turns them back into parts.
public protocol AlgorithmPart: Sendable, Codable, Equatable {
    /// Stable name written in checkpoints (e.g. `simulatedBinary`); unique within a catalog.
    static var kind: String { get }
    /// Throws `ProblemError.invalidParameter` ("name: what") when a setting cannot work, e.g. a
    /// probability outside [0, 1]. Runs before a run starts and on every checkpoint read.
    func validate() throws
}

extension AlgorithmPart {
    public func validate() throws {}

    /// Whether `other` is the same kind of part with the same settings.
    public func isEqual(to other: any AlgorithmPart) -> Bool {
        guard let other = other as? Self else { return false }
        return self == other
    }
}

/// The parts a checkpoint may name, by kind: the built-in ones, plus any a caller adds for its
/// own parts (`PartCatalog.builtIn.adding(MyCrossover.self)`, then
/// `AlgorithmCheckpoint.read(from:catalog:)`).
public struct PartCatalog: Sendable {
    typealias Decode = @Sendable (any Decoder) throws -> any AlgorithmPart
    private var decoders: [String: Decode] = [:]

    public init() {}

    public static let builtIn = PartCatalog()
        .adding(TournamentSelection.self).adding(ViolationTournamentSelection.self)
        .adding(SimulatedBinaryCrossover.self).adding(UniformCrossover.self)
        .adding(PolynomialMutation.self).adding(IntegerStepMutation.self)
        .adding(RankAndCrowdingSurvival.self).adding(ReferenceDirectionSurvival.self)

    /// This catalog with `type` added (replacing a part of the same kind).
    public func adding<P: AlgorithmPart>(_ type: P.Type) -> PartCatalog {
        var copy = self
        copy.decoders[P.kind] = { try P(from: $0) }
        return copy
    }

    /// The kinds this catalog can read, sorted.
    public var kinds: [String] { decoders.keys.sorted() }

    func decode(kind: String, from decoder: any Decoder) throws -> any AlgorithmPart {
        guard let decode = decoders[kind] else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "unknown part kind '\(kind)' (known: \(kinds.joined(separator: ", ")))"))
        }
        return try decode(decoder)
    }
}

extension CodingUserInfoKey {
    /// The `PartCatalog` a decoder uses to read parts (default `PartCatalog.builtIn`).
    static let partCatalog = CodingUserInfoKey(rawValue: "mipareto.partCatalog")!
    /// The checkpoint version being read (older layouts are read by the same types).
    static let checkpointVersion = CodingUserInfoKey(rawValue: "mipareto.checkpointVersion")!
}

/// A coding key of any name (parts are written as `{"kind": …, "parameters": {…}}`, and version-1
/// checkpoints wrote them as `{"<kind>": {"_0": {…}}}`).
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

enum PartCoding {
    /// Writes `part` as `{"kind": K, "parameters": {…}}` under `key`.
    static func encode(_ part: any AlgorithmPart, to container: inout KeyedEncodingContainer<AnyCodingKey>, key: String) throws {
        var nested = container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey(key))
        try nested.encode(type(of: part).kind, forKey: AnyCodingKey("kind"))
        try part.encode(to: nested.superEncoder(forKey: AnyCodingKey("parameters")))
    }

    /// Reads the part under `key` as a `P` (one of the part protocols), in either layout.
    static func decode<P>(_ as: P.Type, from container: KeyedDecodingContainer<AnyCodingKey>, key: String, what: String,
                          catalog: PartCatalog) throws -> P {
        let nested = try container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey(key))
        let part: any AlgorithmPart
        if nested.contains(AnyCodingKey("kind")) {
            let kind = try nested.decode(String.self, forKey: AnyCodingKey("kind"))
            part = try catalog.decode(kind: kind, from: nested.superDecoder(forKey: AnyCodingKey("parameters")))
        } else if nested.allKeys.count == 1, let kind = nested.allKeys.first {
            // Version 1: Swift's enum layout, `{"simulatedBinary": {"_0": {…}}}`.
            let inner = try nested.nestedContainer(keyedBy: AnyCodingKey.self, forKey: kind)
            part = try catalog.decode(kind: kind.stringValue, from: inner.superDecoder(forKey: AnyCodingKey("_0")))
        } else {
            throw DecodingError.dataCorruptedError(forKey: AnyCodingKey(key), in: container, debugDescription: "expected {\"kind\": …, \"parameters\": {…}}")
        }
        guard let typed = part as? P else {
            throw DecodingError.dataCorruptedError(forKey: AnyCodingKey(key), in: container,
                                                   debugDescription: "part '\(type(of: part).kind)' is not a \(what)")
        }
        return typed
    }
}
