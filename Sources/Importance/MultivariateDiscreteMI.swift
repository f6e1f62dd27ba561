import Basics

/// Ross's continuous–discrete k-NN estimator (see `ContinuousDiscreteMI`) for vector-valued X
/// (e.g. the patch of a channel map), max-norm, exact brute-force neighbour search, against
/// several discrete targets at once.
///
/// What is shared across targets: the distance row from each sample to all others is computed
/// once (the expensive part: N × D per sample) and reused by every target. Per target, only the
/// k-th neighbour among the sample's own class (a gather over that class's members) and one
/// vectorised count of the row within the radius remain.
public enum MultivariateDiscreteMI {
    /// X row-major `[N × dimensions]`, used as given apart from tie-breaking noise
    /// (`1e-10 · max(1, mean|x|) · N(0,1)`, stream `stream`). One estimate per target.
    public static func estimate(
        x: [Double], dimensions: Int, targets: [DiscreteLabels], neighbours k: Int = 3, seed: UInt64 = 0, stream: UInt64 = 0
    ) throws -> [MIEstimate] {
        guard dimensions >= 1, x.count % dimensions == 0 else { throw ImportanceError.shapeMismatch("\(x.count) values of dimension \(dimensions)") }
        guard k >= 1 else { throw ImportanceError.invalidNeighbours(k) }
        let n = x.count / dimensions
        for (t, l) in targets.enumerated() where l.count != n {
            throw ImportanceError.shapeMismatch("target \(t) has \(l.count) labels for \(n) samples")
        }
        if let s = x.firstIndex(where: { !$0.isFinite }) { throw ImportanceError.nonFiniteValue(feature: 0, sample: s / dimensions) }
        var xv = x
        var random = SeededRandom(seed: seed, stream: stream)
        xv.withUnsafeMutableBufferPointer { TieBreaking.addNoise($0, random: &random) }
        let points = MaxNormPoints(rowMajor: xv, dimensions: dimensions)
        let indexed = targets.map { ClassIndex($0, neighbours: k) }
        let digamma = DigammaTable(limit: n + 1)
        var row = [Double](repeating: 0, count: n)
        return estimate(points: points, targets: indexed, digamma: digamma, row: &row).map { MIEstimate(raw: $0) }
    }

    /// Raw MI per target; `row` is scratch of length N.
    static func estimate<Scalar>(points: MaxNormPoints<Scalar>, targets: [ClassIndex], digamma: DigammaTable, row: inout [Scalar]) -> [Double] {
        let n = points.count
        var sumM = [Double](repeating: 0, count: targets.count)
        // The k smallest in-class distances (as `SmallestDistances`): a sorted scratch of k slots
        // and the current k-th in a register, so the gather over the class is one load and one
        // comparison per member (the array's uniqueness checks and reloads were 45 % of patch MI).
        var smallest = [Double](repeating: .infinity, count: targets.map { max(1, $0.neighbours) }.max() ?? 1)
        row.withUnsafeMutableBufferPointer { rb in
          smallest.withUnsafeMutableBufferPointer { kb in
            let r = rb.baseAddress!, best = kb.baseAddress!
            for i in 0..<n {
                points.distances(from: i, into: r)
                for t in 0..<targets.count {
                    let target = targets[t]
                    let c = Int(target.ids[i])
                    guard target.counts[c] >= 2 else { continue }
                    let kc = min(target.neighbours, target.counts[c] - 1)
                    let k = max(1, target.neighbours)
                    for q in 0..<k { best[q] = .infinity }
                    var worst = Double.infinity
                    target.members.withUnsafeBufferPointer { mb in
                        let s = target.start[c], e = target.start[c + 1]
                        for a in s..<e {
                            let j = Int(mb[a])
                            let d = Double(r[j])
                            guard d < worst, j != i else { continue }
                            var q = k - 1
                            while q > 0 && best[q - 1] > d {
                                best[q] = best[q - 1]
                                q -= 1
                            }
                            best[q] = d
                            worst = best[k - 1]
                        }
                    }
                    let radius = SortedSearch.radiusBelow(Scalar(best[kc - 1]))
                    var count = 0
                    for j in 0..<n where r[j] <= radius { count &+= 1 }
                    // Samples of single-member classes are not part of the estimate: uncount them.
                    for j in target.excluded where r[j] <= radius { count -= 1 }
                    sumM[t] += digamma[count]
                }
            }
          }
        }
        return targets.indices.map { t in
            let target = targets[t]
            guard target.retained > 0 else { return 0 }
            let nn = Double(target.retained)
            return digamma[target.retained] + target.sumPsiK / nn - target.sumPsiN / nn - sumM[t] / nn
        }
    }
}

/// A discrete target prepared for neighbour searches: the members of each class, the samples
/// left out (single-member classes), and the per-sample terms that do not depend on X.
struct ClassIndex: Sendable {
    let ids: [Int32]
    let counts: [Int]
    /// members[start[c]..<start[c+1]] are the samples of class c (ascending).
    let start: [Int]
    let members: [Int32]
    let excluded: [Int]
    let retained: Int
    let neighbours: Int
    /// Σ over retained samples of ψ(k_i) and of ψ(n_{c(i)}).
    let sumPsiK: Double
    let sumPsiN: Double

    init(_ labels: DiscreteLabels, neighbours k: Int) {
        ids = labels.ids
        counts = labels.counts
        neighbours = k
        var start = [Int](repeating: 0, count: labels.classCount + 1)
        for id in labels.ids { start[Int(id) + 1] += 1 }
        for c in 0..<labels.classCount { start[c + 1] += start[c] }
        var fill = start
        var members = [Int32](repeating: 0, count: labels.count)
        var excluded: [Int] = []
        for (i, id) in labels.ids.enumerated() {
            members[fill[Int(id)]] = Int32(i)
            fill[Int(id)] += 1
            if labels.counts[Int(id)] < 2 { excluded.append(i) }
        }
        self.start = start
        self.members = members
        self.excluded = excluded
        retained = labels.count - excluded.count
        let digamma = DigammaTable(limit: (labels.counts.max() ?? 1) + 1)
        var sk = 0.0, sn = 0.0
        for c in labels.counts where c >= 2 {
            sk += Double(c) * digamma[min(k, c - 1)]
            sn += Double(c) * digamma[c]
        }
        sumPsiK = sk
        sumPsiN = sn
    }
}
