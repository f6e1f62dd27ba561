import Foundation

/// Non-dominated sorting of two objectives in O(N log N).
///
/// Points are visited in lexicographic order, so every possible dominator of a point comes before
/// it. Within a front, points visited so far have increasing f1 and decreasing f2, so the front
/// dominates the new point exactly when its last point does. Whether front k dominates a point is
/// monotone in k (a dominator in front k is itself dominated by some point of front k−1), which
/// permits a binary search over the fronts.
enum ParetoSweep2D {
    /// A point's coordinates next to its index: sorting this contiguous array is cache-friendly.
    private struct Entry { var a: Double; var b: Double; var index: Int }

    static func ranks(_ f: UnsafePointer<Double>, count n: Int) -> [Int] {
        var order: [Int] = []
        return ranks(f, count: n, order: &order)
    }

    /// Ranks, and in `order` the indices in lexicographic order (f1, then f2, then index): within a
    /// front that is f1 ascending with ties by index, the order crowding distance sorts by.
    /// `sortedPrefix`: the first points are known to be in lexicographic order already (NSGA-II's
    /// survivors, followed by the offspring); only the rest is sorted, then the two runs merged.
    static func ranks(_ f: UnsafePointer<Double>, count n: Int, order: inout [Int], sortedPrefix: Int = 0) -> [Int] {
        var entries = [Entry](unsafeUninitializedCapacity: n) { buf, c in
            for i in 0..<n { buf[i] = Entry(a: f[2 * i], b: f[2 * i + 1], index: i) }
            c = n
        }
        let less: (Entry, Entry) -> Bool = { x, y in x.a != y.a ? x.a < y.a : (x.b != y.b ? x.b < y.b : x.index < y.index) }
        let prefix = min(max(sortedPrefix, 0), n)
        if prefix < 2 {
            entries.withUnsafeMutableBufferPointer { e in e.sort(by: less) }
        } else if prefix < n {
            entries.withUnsafeMutableBufferPointer { e in
                var tail = UnsafeMutableBufferPointer(rebasing: e[prefix...])
                tail.sort(by: less)
            }
            entries = entries.withUnsafeBufferPointer { e in
                [Entry](unsafeUninitializedCapacity: n) { out, c in
                    var i = 0, j = prefix, k = 0
                    while i < prefix && j < n {
                        if less(e[j], e[i]) { out[k] = e[j]; j += 1 } else { out[k] = e[i]; i += 1 }
                        k += 1
                    }
                    while i < prefix { out[k] = e[i]; i += 1; k += 1 }
                    while j < n { out[k] = e[j]; j += 1; k += 1 }
                    c = n
                }
            }
        }
        order = entries.map(\.index)
        var ranks = [Int](repeating: 0, count: n)
        // Last point of every front (its f1, f2).
        var lastA = [Double](), lastB = [Double]()
        lastA.reserveCapacity(64); lastB.reserveCapacity(64)
        entries.withUnsafeBufferPointer { e in
            ranks.withUnsafeMutableBufferPointer { r in
                for p in e {
                    var lo = 0, hi = lastA.count
                    while lo < hi {
                        let mid = (lo + hi) >> 1
                        let dominated = lastB[mid] <= p.b && !(lastB[mid] == p.b && lastA[mid] == p.a)
                        if dominated { lo = mid + 1 } else { hi = mid }
                    }
                    if lo == lastA.count { lastA.append(p.a); lastB.append(p.b) }
                    else { lastA[lo] = p.a; lastB[lo] = p.b }
                    r[p.index] = lo
                }
            }
        }
        return ranks
    }
}
