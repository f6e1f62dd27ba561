import Allocation
import Basics
import FeatureData
import Foundation
import Importance
import Inference
import MultiObjective

/// `mipareto fidelity`: how well each measure's ILP objective predicts what it claims to, the
/// true loss. Random allocations at several budgets (seeded) are scored on `report`; for each
/// measure, the Spearman correlation between its budget-form objective (`Σ_c a_c d_c(b_c)`,
/// equal task weights; for `sensitivity`, the sum of measured losses) and the true weighted loss
/// (the mean over tasks of `1 − metric/clean`, clipped to [0, 1], clean on report: the hypervolume's
/// objectives). A proxy the ILP can trust ranks allocations of the same rate as the network does.
public enum ProxyFidelity {
    public struct Settings: Sendable {
        public var measures: [ImportanceMeasure]
        public var budgets: [Double]
        /// Random allocations per budget.
        public var allocationsPerBudget: Int
        public var maxBits: Int
        public var seed: UInt64

        public init(measures: [ImportanceMeasure], budgets: [Double] = [1, 2, 3, 4], allocationsPerBudget: Int = 32, maxBits: Int = 8, seed: UInt64 = 1) {
            self.measures = measures
            self.budgets = budgets
            self.allocationsPerBudget = allocationsPerBudget
            self.maxBits = maxBits
            self.seed = seed
        }

        public func validated() throws(ParameterError) -> Settings {
            try Quantiser.checkMaxBits(maxBits)
            guard !measures.isEmpty else { throw ParameterError("measures", "give at least one measure") }
            guard !budgets.isEmpty else { throw ParameterError("budgets", "no budget in the list") }
            for b in budgets { try AllocationModel.checkBudget(b, maxBits: maxBits) }
            guard allocationsPerBudget >= 3 else { throw ParameterError("allocations", value: String(allocationsPerBudget), "must be at least 3 (a rank correlation needs points)") }
            return self
        }
    }

    public struct Sample: Sendable {
        public var budget: Double
        public var bits: [Int]
        public var bpe: Double
        public var trueLoss: Double
        /// The measure's objective, in `Result.measures` order.
        public var objectives: [Double]
    }

    public struct MeasureFidelity: Sendable {
        public var measure: ImportanceMeasure
        /// The mean of the per-budget coefficients (those defined): how well the objective ranks
        /// allocations of the same rate, which is what the ILP relies on (nil when none is defined).
        public var spearman: Double?
        /// Over every sample of every budget: inflated by rate, which orders both sides.
        public var spearmanPooled: Double?
        /// Per budget, in `settings.budgets` order.
        public var spearmanPerBudget: [Double?]
    }

    public struct Result: Sendable {
        public var bundle: String
        public var settings: Settings
        public var samples: [Sample]
        public var measures: [MeasureFidelity]
    }

    /// Random allocations at `budget`: depths uniform in 0…maxBits, then random channels lowered
    /// by one bit until the rate is within the budget (every channel has the same size, so the
    /// mean depth is at most the budget).
    static func randomAllocations(channels: Int, budget: Double, count: Int, maxBits: Int, random: inout SeededRandom) -> [[Int]] {
        let limit = Int((budget * Double(channels) * (1 + 1e-12)).rounded(.down))
        return (0..<count).map { _ in
            var bits = (0..<channels).map { _ in Int(random.nextUnit() * Double(maxBits + 1)) % (maxBits + 1) }
            var total = bits.reduce(0, +)
            while total > limit {
                let c = Int(random.nextUnit() * Double(channels)) % channels
                if bits[c] > 0 { bits[c] -= 1; total -= 1 }
            }
            return bits
        }
    }

    public static func run(bundle: FeatureBundle, settings: Settings) throws -> Result {
        let settings = try settings.validated()
        let quantiser = Quantiser(fitOf: bundle)
        var random = SeededRandom(seed: settings.seed)
        var allocations: [(budget: Double, bits: [Int])] = []
        for budget in settings.budgets {
            for bits in randomAllocations(channels: bundle.channels, budget: budget, count: settings.allocationsPerBudget, maxBits: settings.maxBits, random: &random) {
                allocations.append((budget, bits))
            }
        }
        // The bundle's heads (a headless task is an error naming it), every stream's own.
        let report = try MetricSource.heads.scoring(bundle: bundle, split: .report, quantiser: quantiser, forSearch: true)
        let clean = try report.scoreClean().tasks.map(\.metric)
        var evaluations: [Evaluation] = []
        for start in stride(from: 0, to: allocations.count, by: 64) {
            evaluations += try report.score(batch: allocations[start..<Swift.min(allocations.count, start + 64)].map(\.bits))
        }
        let table = DistortionTable(fitOf: bundle, maxBits: settings.maxBits)
        let equal = [Double](repeating: 1 / Double(bundle.tasks.count), count: bundle.tasks.count)
        var objectiveOf: [([Int]) -> Double] = []
        for measure in settings.measures {
            if measure == .sensitivity {
                let costs = try SensitivityTable.measure(bundle: bundle, maxBits: settings.maxBits, quantiser: quantiser).costs(weights: equal)
                objectiveOf.append { bits in bits.enumerated().reduce(0) { $0 + costs[$1.offset][$1.element] } }
            } else {
                var options = ImportanceOptions(measure: measure)
                options.seed = settings.seed
                let model = AllocationModel(scores: try ImportanceCalculator.scores(bundle: bundle, options: options), table: table,
                                            channelSizes: bundle.channelSizes)
                let a = model.channelWeights(taskWeights: equal)
                objectiveOf.append { bits in model.objective(of: bits, channelWeights: a) }
            }
        }
        let samples = zip(allocations, evaluations).map { allocation, evaluation in
            let losses = zip(evaluation.tasks, clean).map { TrueMetricProblem.loss(metric: $0.metric, clean: $1) }
            return Sample(budget: allocation.budget, bits: allocation.bits, bpe: Rate(bits: allocation.bits, channelSizes: bundle.channelSizes).bpe,
                          trueLoss: losses.reduce(0, +) / Double(losses.count), objectives: objectiveOf.map { $0(allocation.bits) })
        }
        let fidelity = settings.measures.enumerated().map { k, measure -> MeasureFidelity in
            let perBudget = settings.budgets.map { budget -> Double? in
                let mine = samples.filter { $0.budget == budget }
                return SpearmanCorrelation(mine.map { $0.objectives[k] }, mine.map(\.trueLoss))?.coefficient
            }
            let defined = perBudget.compactMap { $0 }
            return MeasureFidelity(measure: measure, spearman: defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count),
                                   spearmanPooled: SpearmanCorrelation(samples.map { $0.objectives[k] }, samples.map(\.trueLoss))?.coefficient,
                                   spearmanPerBudget: perBudget)
        }
        return Result(bundle: bundle.name, settings: settings, samples: samples, measures: fidelity)
    }
}
