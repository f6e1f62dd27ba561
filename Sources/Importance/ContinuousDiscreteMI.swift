import Basics

/// Mutual information between a continuous variable and a discrete one by the k-nearest-neighbour
/// estimator of Ross (2014), the estimator behind scikit-learn's `mutual_info_classif`:
///
///     I = ψ(n) + ⟨ψ(k_i)⟩ − ⟨ψ(n_{c(i)})⟩ − ⟨ψ(m_i)⟩
///
/// where for each sample i of class c(i) (n_c samples), d_i is the distance to its k-th nearest
/// neighbour *within its class* (k_i = min(k, n_c − 1)), and m_i counts the samples of *all*
/// classes strictly closer than d_i, i itself included. Samples whose class has a single member
/// carry no neighbour information and are left out (n counts the rest), as in scikit-learn.
///
/// The 1-D case is sorted once: within-class neighbours are a contiguous window of the class's
/// sorted list (k steps of a two-sided merge), and m_i is a galloping range count on the sorted
/// array of all samples. O(N log N) per variable, dominated by the sort.
public enum ContinuousDiscreteMI {
    /// MI (nats) between `x` and `labels`, preprocessing `x` as scikit-learn does (scaled by its
    /// standard deviation, 1e-10 tie-breaking noise from `SeededRandom(seed:stream:)`).
    public static func estimate<L: BinaryInteger>(
        _ x: [Double], labels: [L], neighbours: Int = 3, seed: UInt64 = 0, stream: UInt64 = 0
    ) throws -> MIEstimate {
        guard x.count == labels.count else { throw ImportanceError.shapeMismatch("\(x.count) values and \(labels.count) labels") }
        guard neighbours >= 1 else { throw ImportanceError.invalidNeighbours(neighbours) }
        if let s = x.firstIndex(where: { !$0.isFinite }) { throw ImportanceError.nonFiniteValue(feature: 0, sample: s) }
        let discrete = DiscreteLabels(labels)
        var values = x
        var random = SeededRandom(seed: seed, stream: stream)
        values.withUnsafeMutableBufferPointer { TieBreaking.prepare($0, random: &random) }
        let column = SortedColumn(values)
        let digamma = DigammaTable(limit: x.count + 1)
        return MIEstimate(raw: estimate(sorted: column, labels: discrete, neighbours: neighbours, digamma: digamma))
    }

    /// The estimator on an already prepared and sorted variable (shared by every target).
    static func estimate(sorted column: SortedColumn, labels: DiscreteLabels, neighbours k: Int, digamma: DigammaTable) -> Double {
        let total = column.values.count
        precondition(labels.count == total && k >= 1)
        // Sorted values and class ids of the retained samples (classes with ≥ 2 members).
        var hasSingleton = false
        for c in labels.counts where c < 2 { hasSingleton = true; break }
        var values: [Double]
        var classes = [Int32](repeating: 0, count: total)
        var n = total
        if hasSingleton {
            values = []
            values.reserveCapacity(total)
            n = 0
            for g in 0..<total {
                let id = labels.ids[Int(column.order[g])]
                if labels.counts[Int(id)] >= 2 {
                    values.append(column.values[g])
                    classes[n] = id
                    n += 1
                }
            }
        } else {
            values = column.values
            labels.ids.withUnsafeBufferPointer { ids in
                column.order.withUnsafeBufferPointer { order in
                    for g in 0..<total { classes[g] = ids[Int(order[g])] }
                }
            }
        }
        guard n > 0 else { return 0 }

        // Each class's sorted values and global sorted positions, contiguous, with a sentinel on
        // each side (−∞/+∞ values, positions −1/n), so the neighbour window needs no bounds tests.
        let classCount = labels.classCount
        var start = [Int](repeating: 0, count: classCount + 1)
        for g in 0..<n { start[Int(classes[g]) + 1] += 1 }
        for c in 0..<classCount { start[c + 1] += start[c] }
        let slots = n + 2 * classCount
        var classValues = [Double](repeating: 0, count: slots)
        var classPositions = [Int32](repeating: 0, count: slots)
        var fill = (0..<classCount).map { start[$0] + 2 * $0 + 1 }
        for c in 0..<classCount {
            let first = start[c] + 2 * c
            let last = start[c + 1] + 2 * c + 1
            classValues[first] = -.infinity
            classPositions[first] = -1
            classValues[last] = .infinity
            classPositions[last] = Int32(n)
        }

        var sumK = 0.0, sumN = 0.0, sumM = 0.0
        values.withUnsafeBufferPointer { vb in
            classValues.withUnsafeMutableBufferPointer { cvb in
                classPositions.withUnsafeMutableBufferPointer { cpb in
                    for g in 0..<n {
                        let c = Int(classes[g])
                        let f = fill[c]
                        cvb[f] = vb[g]
                        cpb[f] = Int32(g)
                        fill[c] = f + 1
                    }
                    let v = vb.baseAddress!
                    var classK = [Int](repeating: 0, count: classCount)
                    for c in 0..<classCount {
                        let members = start[c + 1] - start[c]
                        classK[c] = min(k, members - 1)
                        guard members >= 2 else { continue }
                        sumK += digamma[classK[c]] * Double(members)
                        sumN += digamma[members] * Double(members)
                    }
                    // Visit samples in global sorted order (not class by class): the all-sample
                    // searches then stay near the previous one (cache-resident), and each class's
                    // arrays are read as one forward stream.
                    var cursor = [Int](repeating: 0, count: classCount)
                    for g in 0..<n {
                        let c = Int(classes[g])
                        let a = cursor[c]
                        cursor[c] = a + 1
                        let kc = classK[c]
                        let cv = cvb.baseAddress! + start[c] + 2 * c + 1
                        let cp = cpb.baseAddress! + start[c] + 2 * c + 1
                        do {
                            let x = cv[a]
                            // k nearest within the class: a two-sided merge outwards from a.
                            var lo = a - 1, hi = a + 1
                            var d = 0.0
                            for _ in 0..<kc {
                                let dl = x - cv[lo], dr = cv[hi] - x
                                if dl <= dr { d = dl; lo -= 1 } else { d = dr; hi += 1 }
                            }
                            let r = SortedSearch.radiusBelow(d)
                            // Class members at lo and hi are at distance ≥ d > r: outside. The boundary
                            // of the all-sample count lies between them and the nearest member inside,
                            // a bracket of about N / n_c samples: bisect there.
                            var inner = lo + 1
                            while inner < a && x - cv[inner] > r { inner += 1 }
                            // Branchless lower bound: first j in (outside, inside] with x − v[j] ≤ r
                            // (true at inside). The comparisons are unpredictable, so no jumps.
                            var base = Int(cp[inner - 1]) + 1
                            var span = Int(cp[inner]) - base + 1
                            while span > 1 {
                                let half = span >> 1
                                base &+= half &* Int(unsafeBitCast(x - v[base + half - 1] > r, to: UInt8.self))
                                span -= half
                            }
                            let left = base
                            inner = hi - 1
                            while inner > a && cv[inner] - x > r { inner -= 1 }
                            // First j in (inside, outside] with v[j] − x > r (true at outside).
                            base = Int(cp[inner]) + 1
                            span = Int(cp[inner + 1]) - base + 1
                            while span > 1 {
                                let half = span >> 1
                                base &+= half &* Int(unsafeBitCast(v[base + half - 1] - x <= r, to: UInt8.self))
                                span -= half
                            }
                            sumM += digamma[base - left]
                        }
                    }
                }
            }
        }
        let nn = Double(n)
        return digamma[n] + sumK / nn - sumN / nn - sumM / nn
    }
}

/// A variable sorted once, with the original index of every sorted position, so several
/// targets can reuse the sort.
struct SortedColumn {
    var values: [Double]
    var order: [Int32]

    init(_ x: [Double]) {
        (values, order) = x.withUnsafeBufferPointer { RadixSort.sortWithIndices($0) }
    }
}
