import MultiObjective

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
    ) -> MIEstimate {
        precondition(x.count == labels.count, "x and labels must have the same length")
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

        // Sorted positions of each class's members, by counting sort on the class id.
        let classCount = labels.classCount
        var start = [Int](repeating: 0, count: classCount + 1)
        for g in 0..<n { start[Int(classes[g]) + 1] += 1 }
        for c in 0..<classCount { start[c + 1] += start[c] }
        var positions = [Int32](repeating: 0, count: n)
        var fill = start

        var sumK = 0.0, sumN = 0.0, sumM = 0.0
        values.withUnsafeBufferPointer { vb in
            positions.withUnsafeMutableBufferPointer { pb in
                for g in 0..<n {
                    let c = Int(classes[g])
                    pb[fill[c]] = Int32(g)
                    fill[c] += 1
                }
                let v = vb.baseAddress!
                let p = pb.baseAddress!
                for c in 0..<classCount {
                    let s = start[c], members = start[c + 1] - s
                    guard members >= 2 else { continue }
                    let kc = min(k, members - 1)
                    let psiK = digamma[kc], psiN = digamma[members]
                    sumK += psiK * Double(members)
                    sumN += psiN * Double(members)
                    let cls = p + s
                    for a in 0..<members {
                        let g = Int(cls[a])
                        let x = v[g]
                        var lo = a - 1, hi = a + 1
                        var d = 0.0
                        for _ in 0..<kc {
                            let dl = lo >= 0 ? x - v[Int(cls[lo])] : Double.infinity
                            let dr = hi < members ? v[Int(cls[hi])] - x : Double.infinity
                            if dl <= dr { d = dl; lo -= 1 } else { d = dr; hi += 1 }
                        }
                        let m = SortedSearch.countWithin(v, count: n, at: g, radius: SortedSearch.radiusBelow(d))
                        sumM += digamma[m]
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
        var pairs = [(Double, Int32)]()
        pairs.reserveCapacity(x.count)
        for i in 0..<x.count { pairs.append((x[i], Int32(i))) }
        pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        values = pairs.map { $0.0 }
        order = pairs.map { $0.1 }
    }
}
