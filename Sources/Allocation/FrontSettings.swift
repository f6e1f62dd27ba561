import FeatureData
import Foundation

/// What a `front` run computes: methods, budgets, seeds and the NSGA-II settings. Also the identity
/// a checkpoint is checked against (`FrontCheckpoint`).
public struct FrontSettings: Codable, Sendable, Equatable {
    /// Method names in the order given (`FrontMethod.name`).
    public var methods: [String]
    /// Budgets of the `ilp-*` and `twolevel-*` sweeps, bits per element.
    public var budgets: [Double]
    public var maxBits: Int
    public var seeds: [Int]
    public var population: Int
    public var generations: Int
    /// Seed NSGA-II's first population with the run's `ilp-*` allocations of the same seed.
    public var seedFromILP: Bool

    public static let defaultPopulation = 64
    public static let defaultGenerations = 50

    public init(methods: [FrontMethod], budgets: [Double], maxBits: Int = 8, seeds: [Int] = [1],
                population: Int = FrontSettings.defaultPopulation, generations: Int = FrontSettings.defaultGenerations,
                seedFromILP: Bool = false) {
        self.methods = methods.map(\.name)
        self.budgets = budgets
        self.maxBits = maxBits
        self.seeds = seeds
        self.population = population
        self.generations = generations
        self.seedFromILP = seedFromILP
    }

    public var parsedMethods: [FrontMethod] { methods.compactMap(FrontMethod.init(name:)) }

    /// Throws `.invalidInput` naming the flag at fault.
    public func validate() throws(AllocationError) {
        guard (1...Quantiser.maximumBits).contains(maxBits) else {
            throw .invalidInput("--max-bits \(maxBits): must be 1…\(Quantiser.maximumBits)")
        }
        guard parsedMethods.count == methods.count, !methods.isEmpty else { throw .invalidInput("--methods: give at least one valid method") }
        let sweeps = parsedMethods.contains { if case .ilp = $0 { return true }; if case .twoLevel = $0 { return true }; return false }
        if sweeps {
            guard !budgets.isEmpty else { throw .invalidInput("--budgets: no budget in the list") }
            for b in budgets {
                guard b.isFinite, b >= 0 else { throw .invalidInput("--budgets: \(b) is not a number of bits per element ≥ 0") }
                guard b <= Double(maxBits) else {
                    throw .invalidInput("--budgets: \(Self.format(b)) bits per element is above --max-bits \(maxBits) (every channel at \(maxBits) bits is \(maxBits) bits per element)")
                }
            }
        }
        guard !seeds.isEmpty else { throw .invalidInput("--seeds: give at least one seed") }
        guard Set(seeds).count == seeds.count else { throw .invalidInput("--seeds: a seed is listed twice") }
        guard seeds.allSatisfy({ $0 >= 0 }) else { throw .invalidInput("--seeds: seeds must be ≥ 0") }
        if parsedMethods.contains(.nsga2) {
            guard population >= 4, population % 2 == 0 else { throw .invalidInput("--population \(population): must be an even number ≥ 4") }
            guard generations >= 1 else { throw .invalidInput("--generations \(generations): must be at least 1") }
        }
    }

    /// `a:step:b` (inclusive, `a + i·step` up to `b` within 1e-9) or a comma-separated list.
    public static func parseBudgets(_ text: String) throws(AllocationError) -> [Double] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.contains(":") {
            let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 3, let a = parts[0], let step = parts[1], let b = parts[2], a.isFinite, step.isFinite, b.isFinite else {
                throw .invalidInput("--budgets: \"\(text)\" is not a:step:b (e.g. 0.25:0.25:8) or a list (1,2,4)")
            }
            guard step > 0 else { throw .invalidInput("--budgets \(text): the step must be positive") }
            guard b >= a else { throw .invalidInput("--budgets \(text): empty (the end is below the start)") }
            var values: [Double] = []
            var i = 0
            while true {
                let v = a + Double(i) * step
                if v > b + 1e-9 * Swift.max(1, abs(b)) { break }
                values.append(Swift.min(v, b))
                i += 1
                if values.count > 100_000 { throw .invalidInput("--budgets \(text): more than 100000 budgets") }
            }
            return values
        }
        var values: [Double] = []
        for item in trimmed.split(separator: ",") {
            let s = item.trimmingCharacters(in: .whitespaces)
            if s.isEmpty { continue }
            guard let v = Double(s), v.isFinite else { throw .invalidInput("--budgets: \"\(s)\" is not a number") }
            values.append(v)
        }
        guard !values.isEmpty else { throw .invalidInput("--budgets: empty; give a:step:b (e.g. 0.25:0.25:8) or a list (1,2,4)") }
        return values
    }

    /// Comma-separated non-negative integers.
    public static func parseSeeds(_ text: String) throws(AllocationError) -> [Int] {
        var seeds: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let s = item.trimmingCharacters(in: .whitespaces)
            guard let v = Int(s), v >= 0 else { throw .invalidInput("--seeds: \"\(s)\" is not a seed (an integer ≥ 0)") }
            seeds.append(v)
        }
        return seeds
    }

    static func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}
