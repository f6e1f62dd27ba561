import Foundation

/// BD-rates of a front's methods against a reference method, per task: what `front` writes to
/// `summary.json` (`bdRate`) and prints, and what `report` prints for saved runs.
///
/// Per seed, each method's points give one rate–quality curve per task (`RateQualityCurve`: rate
/// in bits per element, quality the task's metric; BD-rate does not change when every rate is
/// scaled by one constant, so bits per input pixel give the same percentages). The method's
/// BD-rate against the reference on that seed is `BjontegaardDelta.rate`; a method's BD-rate is
/// the mean over the seeds where it is defined (nil when it is defined on none: too few points,
/// or no common quality range). A reference method without seeds of its own (`uniform`) is
/// paired with every seed.
public enum FrontBDRate {
    /// `percent[t][k]`: task `taskNames[t]`, method `methods[k]` (the reference left out).
    public struct Table: Sendable, Equatable {
        public var reference: String
        public var taskNames: [String]
        public var methods: [String]
        public var percent: [[Double?]]
    }

    /// nil when the reference method has no scored point.
    public static func table(_ front: FrontTable, reference: String = "uniform") -> Table? {
        let scored = front.points.filter { !$0.metrics.isEmpty }
        let referencePoints = scored.filter { $0.method == reference }
        guard !referencePoints.isEmpty else { return nil }
        var methods: [String] = []
        for p in scored where p.method != reference && !methods.contains(p.method) { methods.append(p.method) }
        let referenceSeeds = Set(referencePoints.map(\.seed))
        let percent = front.taskNames.indices.map { t in
            methods.map { method -> Double? in
                let points = scored.filter { $0.method == method }
                var seeds: [Int] = []
                for p in points where !seeds.contains(p.seed) { seeds.append(p.seed) }
                let values = seeds.compactMap { seed -> Double? in
                    // The reference's own seed when it has one, else its only run.
                    let refSeed = referenceSeeds.contains(seed) ? seed : referencePoints[0].seed
                    return rate(points.filter { $0.seed == seed }, against: referencePoints.filter { $0.seed == refSeed }, task: t)
                }
                return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
            }
        }
        return Table(reference: reference, taskNames: front.taskNames, methods: methods, percent: percent)
    }

    /// BD-rate of one set of points against another on task `t`, in percent.
    public static func rate(_ test: [FrontPoint], against reference: [FrontPoint], task t: Int) -> Double? {
        guard let a = RateQualityCurve(rates: test.map(\.bpe), qualities: test.map { $0.metrics[t] }),
              let b = RateQualityCurve(rates: reference.map(\.bpe), qualities: reference.map { $0.metrics[t] }) else { return nil }
        return BjontegaardDelta.rate(of: a, against: b)
    }

    /// `{task: {method: percent or null}}`.
    public static func json(_ table: Table) -> JSONValue {
        .object(table.taskNames.enumerated().map { t, task in
            (task, .object(table.methods.enumerated().map { k, method in (method, table.percent[t][k].map { .number($0) } ?? .null) }))
        })
    }

    /// Rows `[method, percent per task…]` for a text table (`n/a` where undefined).
    public static func rows(_ table: Table) -> [[String]] {
        table.methods.enumerated().map { k, method in
            [method] + table.taskNames.indices.map { t in table.percent[t][k].map { String(format: "%+.2f", $0) } ?? "n/a" }
        }
    }
}
