/// Exact neighbour searches on a sorted 1-D array, shared by the 1-D estimators.
///
/// Distances are always computed as `fl(larger − smaller)`, which is what a max-norm k-d tree
/// computes as |a − b|, and rounding keeps that monotone along the sorted order. So "within the
/// radius" is a contiguous index range around the point, found by galloping outwards and then
/// bisecting: O(log m) for m points inside, instead of O(log N).
enum SortedSearch {
    /// The count of indices j with |v[j] − v[g]| ≤ radius (including g itself), v sorted ascending.
    @inline(__always)
    static func countWithin(_ v: UnsafePointer<Double>, count n: Int, at g: Int, radius r: Double) -> Int {
        let x = v[g]
        // Left: `inside` is the smallest index known to be within, `outside` the largest known beyond.
        var inside = g
        var outside = -1
        var step = 1
        while true {
            let probe = g - step
            if probe < 0 { break }
            if x - v[probe] <= r { inside = probe; step &<<= 1 } else { outside = probe; break }
        }
        while inside - outside > 1 {
            let mid = (inside + outside) >> 1
            if x - v[mid] <= r { inside = mid } else { outside = mid }
        }
        let left = inside
        inside = g
        outside = n
        step = 1
        while true {
            let probe = g + step
            if probe >= n { break }
            if v[probe] - x <= r { inside = probe; step &<<= 1 } else { outside = probe; break }
        }
        while outside - inside > 1 {
            let mid = (inside + outside) >> 1
            if v[mid] - x <= r { inside = mid } else { outside = mid }
        }
        return inside - left + 1
    }

    /// scikit-learn's radius convention: it queries `dist ≤ nextafter(d_k, 0)`, i.e. strictly closer
    /// than the k-th neighbour (and exactly-equal points only when d_k is 0).
    @inline(__always)
    static func radiusBelow<T: FloatingPoint>(_ kthDistance: T) -> T {
        kthDistance > 0 ? kthDistance.nextDown : 0
    }
}
