/// A discrete variable recoded as dense ids 0..<classCount (the order of first appearance does
/// not matter to any estimator), with the size of each class.
public struct DiscreteLabels: Sendable {
    public let ids: [Int32]
    public let classCount: Int
    public let counts: [Int]

    public init<S: Sequence>(_ labels: S) where S.Element: BinaryInteger {
        var map: [Int: Int32] = [:]
        var ids: [Int32] = []
        var counts: [Int] = []
        for label in labels {
            let key = Int(label)
            if let id = map[key] {
                ids.append(id)
                counts[Int(id)] += 1
            } else {
                let id = Int32(counts.count)
                map[key] = id
                ids.append(id)
                counts.append(1)
            }
        }
        self.ids = ids
        self.classCount = counts.count
        self.counts = counts
    }

    public var count: Int { ids.count }

    /// Size of the smallest class (0 when empty).
    public var smallestClass: Int { counts.min() ?? 0 }
}

extension DiscreteLabels {
    /// The estimators follow scikit-learn and use k_i = min(k, n_c − 1) in a class smaller than
    /// k + 1 (and leave single-member classes out). Commands that take `--neighbors` reject that
    /// case instead, so a user never gets a silently different estimator: this is their check.
    public func validate(neighbours k: Int) throws {
        guard k >= 1 else { throw ImportanceError.invalidNeighbours(k) }
        if smallestClass <= k { throw ImportanceError.neighboursTooLarge(neighbours: k, smallestClass: smallestClass) }
    }
}
