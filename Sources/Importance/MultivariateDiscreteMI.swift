import Basics

/// Ross's continuous–discrete k-NN estimator (see `ContinuousDiscreteMI`) for vector-valued X
/// (e.g. the patch of a channel map), max-norm, exact neighbour search, against several
/// discrete targets at once.
///
/// Brute force (below): the distance row from each sample to all others is computed once (the
/// expensive part: N × D per sample) and reused by every target; per target, only the k-th
/// neighbour among the sample's own class (a gather over that class's members) and one
/// vectorised count of the row within the radius remain. For float32 patch vectors of at most 8
/// dimensions, k-d trees give the same bits in about N log N (`treeEstimate`).
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
                            worst = SmallestDistances.insert(d, into: best, count: k)
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
        return finish(sumM, targets: targets, digamma: digamma)
    }

    /// Ross's estimate per target from Σ ψ(m_i) over its retained samples.
    static func finish(_ sumM: [Double], targets: [ClassIndex], digamma: DigammaTable) -> [Double] {
        targets.indices.map { t in
            let target = targets[t]
            guard target.retained > 0 else { return 0 }
            let nn = Double(target.retained)
            return digamma[target.retained] + target.sumPsiK / nn - target.sumPsiN / nn - sumM[t] / nn
        }
    }
}

extension MultivariateDiscreteMI {
    /// Raw MI per target: the brute-force rows' bits, by k-d tree searches (`MaxNormTree`) where
    /// they are faster: X of at most 8 dimensions (a tree prunes little beyond) and at least
    /// `treeSamples` samples (below, the brute force's one row shared by all targets is as fast).
    static func estimate(points: MaxNormPoints<Float>, targets: [ClassIndex], digamma: DigammaTable) -> [Double] {
        guard points.dimensions <= MaxNormTree.maxDimensions, points.count >= treeSamples else {
            var row = [Float](repeating: 0, count: points.count)
            return estimate(points: points, targets: targets, digamma: digamma, row: &row)
        }
        return treeEstimate(points: points, targets: targets, digamma: digamma)
    }

    /// From this many samples on, the trees are used. Below, the brute force is as fast
    /// (`digits-pair-mini`, 1 000 samples: 0.24 s either way) and its row serves every target.
    static let treeSamples = 2048

    /// Per target and class, a tree of the class's members gives the k-th in-class distance
    /// (O(log N) per query, not the brute force's pass over the class); one tree of all
    /// samples counts the samples within it, every target's radius in one traversal.
    static func treeEstimate(points: MaxNormPoints<Float>, targets: [ClassIndex], digamma: DigammaTable) -> [Double] {
        let n = points.count, dims = points.dimensions
        let all = Array(0..<Int32(n)).withUnsafeBufferPointer { MaxNormTree(points: points, members: $0) }
        // perClass[t][c]: nil for classes of fewer than two members (their samples are left out).
        let perClass: [[MaxNormTree?]] = targets.map { target in
            target.members.withUnsafeBufferPointer { mb in
                (0..<target.counts.count).map { c in
                    guard target.counts[c] >= 2 else { return nil }
                    return MaxNormTree(points: points, members: UnsafeBufferPointer(rebasing: mb[target.start[c]..<target.start[c + 1]]))
                }
            }
        }
        let allSearch = all.search
        // Per target and sample: the class's search (−1: left out) and m, in flat arrays of plain
        // values, so that the loop over samples copies no reference-counted storage (copying
        // `targets[t]` there was 6 % of the time in retains and releases).
        let searches = perClass.flatMap { $0.compactMap { $0?.search } }
        let tc = targets.count
        var searchOf = [Int32](repeating: -1, count: tc * n)
        var rankOf = [Int32](repeating: 0, count: tc * n)
        var next: Int32 = 0
        for (t, target) in targets.enumerated() {
            var first = [Int32](repeating: -1, count: target.counts.count)
            for c in 0..<target.counts.count where perClass[t][c] != nil {
                first[c] = next
                next += 1
            }
            for i in 0..<n {
                let c = Int(target.ids[i])
                searchOf[t * n + i] = first[c]
                // The point itself is among its class's points at distance 0: the kc-th
                // neighbour is the (kc + 1)-th smallest distance.
                rankOf[t * n + i] = Int32(min(max(1, target.neighbours), target.counts[c] - 1) + 1)
            }
        }
        let kMax = targets.map { max(1, $0.neighbours) }.max() ?? 1
        var sumM = [Double](repeating: 0, count: tc)
        let scratch = MaxNormTree.Scratch(best: kMax + 1)
        // Per-sample state in raw memory: the query, and each target's radius and count.
        let q = UnsafeMutablePointer<Float>.allocate(capacity: dims), radius = UnsafeMutablePointer<Float>.allocate(capacity: tc)
        let count = UnsafeMutablePointer<Int>.allocate(capacity: tc)
        defer { q.deallocate(); radius.deallocate(); count.deallocate() }
        let anyExcluded = targets.contains { !$0.excluded.isEmpty }
        withExtendedLifetime((all, perClass)) {
            points.coordinates.withUnsafeBufferPointer { cb in
                let coords = cb.baseAddress!
                for i in 0..<n {
                    for d in 0..<dims { q[d] = coords[d * n + i] }
                    for t in 0..<tc {
                        count[t] = 0
                        let s = Int(searchOf[t * n + i])
                        guard s >= 0 else { radius[t] = -.infinity; continue }  // counts none
                        radius[t] = SortedSearch.radiusBelow(searches[s].smallest(Int(rankOf[t * n + i]), from: q, scratch: scratch))
                    }
                    // One traversal per 32 targets (the width of its mask).
                    for first in stride(from: 0, to: tc, by: 32) {
                        allSearch.countWithin(q, radii: radius + first, targets: min(32, tc - first), counts: count + first, scratch: scratch)
                    }
                    for t in 0..<tc where radius[t] >= 0 {
                        var c = count[t]
                        // Samples of single-member classes are not part of the estimate: uncount them.
                        if anyExcluded {
                            for j in targets[t].excluded {
                                var dj: Float = 0
                                for d in 0..<dims { dj = max(dj, abs(coords[d * n + j] - q[d])) }
                                if dj <= radius[t] { c -= 1 }
                            }
                        }
                        sumM[t] += digamma[c]
                    }
                }
            }
        }
        return finish(sumM, targets: targets, digamma: digamma)
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
