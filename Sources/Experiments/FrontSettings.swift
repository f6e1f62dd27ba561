import Basics
import FeatureData
import Foundation

/// What a `front` run computes: methods, budgets, seeds and the NSGA-II settings. Also the identity
/// a checkpoint is checked against (`FrontCheckpoint`). Made valid once, by `validated()`.
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
    public static let defaultMaxBits = 8

    /// Without `budgets`, the default sweep `0.25:0.25:maxBits`.
    public init(methods: [FrontMethod], budgets: [Double]? = nil, maxBits: Int = FrontSettings.defaultMaxBits, seeds: [Int] = [1],
                population: Int = FrontSettings.defaultPopulation, generations: Int = FrontSettings.defaultGenerations,
                seedFromILP: Bool = false) {
        self.methods = methods.map(\.name)
        self.budgets = budgets ?? BudgetGrid.defaultSweep(maxBits: maxBits)
        self.maxBits = maxBits
        self.seeds = seeds
        self.population = population
        self.generations = generations
        self.seedFromILP = seedFromILP
    }

    public var parsedMethods: [FrontMethod] { methods.compactMap(FrontMethod.init(name:)) }

    /// The settings, checked; the error names the parameter at fault.
    public func validated() throws(ParameterError) -> FrontSettings {
        try Quantiser.checkMaxBits(maxBits)
        guard parsedMethods.count == methods.count, !methods.isEmpty else { throw ParameterError("methods", "give at least one valid method") }
        if parsedMethods.contains(where: \.isSweep) {
            guard !budgets.isEmpty else { throw ParameterError("budgets", "no budget in the list") }
            for b in budgets {
                guard b.isFinite, b >= 0 else { throw ParameterError("budgets", "\(b) is not a number of bits per element ≥ 0") }
                guard b <= Double(maxBits) else {
                    throw ParameterError("budgets", "\(BudgetGrid.format(b)) bits per element is above \(ParameterError.mention("maxBits")) \(maxBits) (every channel at \(maxBits) bits is \(maxBits) bits per element)")
                }
            }
        }
        guard !seeds.isEmpty else { throw ParameterError("seeds", "give at least one seed") }
        guard Set(seeds).count == seeds.count else { throw ParameterError("seeds", "a seed is listed twice") }
        guard seeds.allSatisfy({ $0 >= 0 }) else { throw ParameterError("seeds", "seeds must be ≥ 0") }
        if parsedMethods.contains(where: \.isSearch) {
            guard population >= 4, population % 2 == 0 else { throw ParameterError("population", value: String(population), "must be an even number ≥ 4") }
            guard generations >= 1 else { throw ParameterError("generations", value: String(generations), "must be at least 1") }
        }
        return self
    }
}

extension FrontSettings {
    /// Comma-separated non-negative integers (the `seeds` parameter).
    public static func parseSeeds(_ text: String) throws(ParameterError) -> [Int] {
        var seeds: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let s = item.trimmingCharacters(in: .whitespaces)
            guard let v = Int(s), v >= 0 else { throw ParameterError("seeds", "\"\(s)\" is not a seed (an integer ≥ 0)") }
            seeds.append(v)
        }
        return seeds
    }

}
