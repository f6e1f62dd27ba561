#if canImport(Glibc)
import Glibc  // fmaxf, fminf
#endif

/// A k-d tree over a subset of `MaxNormPoints<Float>` (at most 8 dimensions), for the two exact
/// searches of Ross's estimator: the m-th smallest max-norm distance from a point to the tree's
/// points, and the count of points within a radius (several radii in one traversal).
///
/// Exact, bit for bit, against the brute force of `MaxNormPoints.distances`: a distance is
/// `max_d |fl(a_d − x_d)|` as there, and the pruning uses only `fl(lo − x)` and `fl(x − hi)` for
/// a node's tight box [lo, hi], which bound every `fl(a − x)` inside it because rounding is
/// monotone. So a pruned node cannot hold a point the brute force would count or rank.
///
/// Layout: balanced and implicit (node v's children are 2v+1 and 2v+2, split at the middle
/// index of the box's widest side), every leaf at the same depth with at most 64 points, stored
/// as 64 slots per coordinate, the unused ones +∞. The leaf loops have a constant trip count and
/// the box loops a dimension count fixed at compile time (`FixedDimensions`), so the compiler
/// unrolls and vectorises them; box bounds use `fmaxf`, which compiles to `maxss` and a blend,
/// where `max`'s ordered select became a branch per coordinate. Leaves of 64 rather than 16 points: a node
/// costs a hard-to-predict branch, a leaf point a fraction of a vector operation (on 5 000
/// Gaussian points in 4 dimensions, 16 → 64 cut the estimate's time by a third).
///
/// The storage is raw memory owned by the instance (not arrays), so that a search is plain
/// pointer arithmetic in the hot loop; `search` is valid while the tree lives.
final class MaxNormTree: @unchecked Sendable {
    static let leafSize = 64
    static let maxDimensions = 8

    let count: Int
    let dimensions: Int
    /// Nodes at index ≥ firstLeaf are leaves; leaf v's block is number v − firstLeaf.
    let firstLeaf: Int
    /// leaves[((leaf * D) + d) * leafSize + j]: coordinate d of the leaf's point j.
    private let leaves: UnsafeMutablePointer<Float>
    /// boxes[v * 2D + d] = lo_d, boxes[v * 2D + D + d] = hi_d of node v.
    private let boxes: UnsafeMutablePointer<Float>
    /// sizes[v]: node v's number of points.
    private let sizes: UnsafeMutablePointer<Int32>

    /// The tree over `members` (indices into `points`).
    init(points: MaxNormPoints<Float>, members: UnsafeBufferPointer<Int32>) {
        let n = members.count, dims = points.dimensions, leafSize = Self.leafSize
        precondition(dims >= 1 && dims <= Self.maxDimensions, "a max-norm tree holds 1–8 dimensions, not \(dims)")
        count = n
        dimensions = dims
        var levels = 0
        while (n + (1 << levels) - 1) >> levels > leafSize { levels += 1 }
        let nodes = (1 << (levels + 1)) - 1, firstLeaf = (1 << levels) - 1
        self.firstLeaf = firstLeaf
        let leafCount = nodes - firstLeaf
        var order = Array(members)
        var starts = [Int](repeating: 0, count: 2 * nodes)
        starts[1] = n
        let boxes = UnsafeMutablePointer<Float>.allocate(capacity: 2 * dims * nodes)
        boxes.initialize(repeating: 0, count: 2 * dims * nodes)
        let sizes = UnsafeMutablePointer<Int32>.allocate(capacity: nodes)
        let leaves = UnsafeMutablePointer<Float>.allocate(capacity: leafCount * dims * leafSize)
        leaves.initialize(repeating: .infinity, count: leafCount * dims * leafSize)
        points.coordinates.withUnsafeBufferPointer { cb in
            let c = cb.baseAddress!, stride = points.count
            order.withUnsafeMutableBufferPointer { ob in
                let o = ob.baseAddress!
                for v in 0..<nodes {
                    let s = starts[2 * v], e = starts[2 * v + 1]
                    sizes[v] = Int32(e - s)
                    // The node's tight box, then (internal nodes) a split of its widest side.
                    var widest = 0
                    var spread: Float = -1
                    for d in 0..<dims {
                        var l = Float.infinity, h = -Float.infinity
                        for j in s..<e {
                            let a = c[d * stride + Int(o[j])]
                            l = min(l, a)
                            h = max(h, a)
                        }
                        if e > s {
                            boxes[v * 2 * dims + d] = l
                            boxes[v * 2 * dims + dims + d] = h
                        }
                        if h - l > spread { spread = h - l; widest = d }
                    }
                    if v >= firstLeaf {
                        let block = leaves + (v - firstLeaf) * dims * leafSize
                        for d in 0..<dims {
                            for j in s..<e { block[d * leafSize + j - s] = c[d * stride + Int(o[j])] }
                        }
                        continue
                    }
                    let mid = s + (e - s) / 2
                    if e - s > 1 { MaxNormTree.select(o, from: s, to: e, nth: mid, keys: c + widest * stride) }
                    starts[2 * (2 * v + 1)] = s
                    starts[2 * (2 * v + 1) + 1] = mid
                    starts[2 * (2 * v + 2)] = mid
                    starts[2 * (2 * v + 2) + 1] = e
                }
            }
        }
        self.leaves = leaves
        self.boxes = boxes
        self.sizes = sizes
    }

    deinit {
        leaves.deallocate()
        boxes.deallocate()
        sizes.deallocate()
    }

    /// Quickselect: reorders o[from..<to] so that o[nth] has the key it would have sorted, with
    /// no larger key before it and no smaller after.
    private static func select(_ o: UnsafeMutablePointer<Int32>, from: Int, to: Int, nth: Int, keys: UnsafePointer<Float>) {
        var lo = from, hi = to - 1
        while lo < hi {
            // Median of three as the pivot keeps sorted or tied runs from going quadratic.
            let m = lo + (hi - lo) / 2
            let a = keys[Int(o[lo])], b = keys[Int(o[m])], c = keys[Int(o[hi])]
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = lo, j = hi
            while i <= j {
                while keys[Int(o[i])] < pivot { i += 1 }
                while keys[Int(o[j])] > pivot { j -= 1 }
                if i <= j {
                    (o[i], o[j]) = (o[j], o[i])
                    i += 1
                    j -= 1
                }
            }
            if nth <= j { hi = j } else if nth >= i { lo = i } else { return }
        }
    }

    /// The searches over this tree: raw pointers, valid while the tree lives.
    var search: Search {
        Search(count: count, dimensions: dimensions, firstLeaf: firstLeaf, leaves: leaves, boxes: boxes, sizes: sizes)
    }

    /// Per-caller scratch of the searches: the m best distances, a leaf's distances and two
    /// traversal stacks, allocated once and reused for every query.
    struct Scratch: ~Copyable {
        let best: UnsafeMutablePointer<Float>
        let distances: UnsafeMutablePointer<Float>
        let nearStack: UnsafeMutablePointer<(Int32, Float)>
        let countStack: UnsafeMutablePointer<(Int32, UInt32)>
        let capacity: Int

        /// Room for the m-th smallest distance with m ≤ `best`. The stacks hold 64 entries:
        /// one pending sibling per level of a balanced tree of up to 2⁶⁴ leaves.
        init(best: Int) {
            capacity = max(1, best)
            self.best = .allocate(capacity: capacity)
            distances = .allocate(capacity: MaxNormTree.leafSize)
            nearStack = .allocate(capacity: 64)
            countStack = .allocate(capacity: 64)
        }

        deinit {
            best.deallocate()
            distances.deallocate()
            nearStack.deallocate()
            countStack.deallocate()
        }
    }

    struct Search {
        let count: Int
        let dimensions: Int
        var leafSize: Int { MaxNormTree.leafSize }
        let firstLeaf: Int
        let leaves: UnsafePointer<Float>
        let boxes: UnsafePointer<Float>
        let sizes: UnsafePointer<Int32>

        /// counts[t] += the number of points within radii[t] (max_d |fl(a_d − x_d)| ≤ radii[t]),
        /// for t < targets ≤ 32, in one traversal.
        func countWithin(_ x: UnsafePointer<Float>, radii: UnsafePointer<Float>, targets: Int, counts: UnsafeMutablePointer<Int>,
                         scratch: borrowing Scratch) {
            guard count > 0, targets > 0 else { return }
            switch dimensions {
            case 1: countWithin(Dimensions1.self, x, radii, targets, counts, scratch)
            case 2: countWithin(Dimensions2.self, x, radii, targets, counts, scratch)
            case 3: countWithin(Dimensions3.self, x, radii, targets, counts, scratch)
            case 4: countWithin(Dimensions4.self, x, radii, targets, counts, scratch)
            case 5: countWithin(Dimensions5.self, x, radii, targets, counts, scratch)
            case 6: countWithin(Dimensions6.self, x, radii, targets, counts, scratch)
            case 7: countWithin(Dimensions7.self, x, radii, targets, counts, scratch)
            default: countWithin(Dimensions8.self, x, radii, targets, counts, scratch)
            }
        }

        /// The m-th smallest distance from x to the points (1 ≤ m ≤ count, m ≤ the scratch's `best`).
        func smallest(_ m: Int, from x: UnsafePointer<Float>, scratch: borrowing Scratch) -> Float {
            precondition(m >= 1 && m <= min(count, scratch.capacity))
            switch dimensions {
            case 1: return smallest(Dimensions1.self, m, x, scratch)
            case 2: return smallest(Dimensions2.self, m, x, scratch)
            case 3: return smallest(Dimensions3.self, m, x, scratch)
            case 4: return smallest(Dimensions4.self, m, x, scratch)
            case 5: return smallest(Dimensions5.self, m, x, scratch)
            case 6: return smallest(Dimensions6.self, m, x, scratch)
            case 7: return smallest(Dimensions7.self, m, x, scratch)
            default: return smallest(Dimensions8.self, m, x, scratch)
            }
        }

        /// A lower bound of every distance from x to the node's points (clamped at 0), and an
        /// upper bound (both exact in the sense of the type's comment: attained when the box's
        /// faces are).
        @inline(__always)
        private func bounds<D: FixedDimensions>(_: D.Type, _ v: Int, _ x: UnsafePointer<Float>) -> (near: Float, far: Float) {
            let lo = boxes + v * 2 * D.count, hi = lo + D.count
            var far: Float = 0
            for d in 0..<D.count { far = fmaxf(far, fmaxf(hi[d] - x[d], x[d] - lo[d])) }
            return (near(D.self, v, x), far)
        }

        /// The lower bound alone, as the m-th-smallest search needs.
        @inline(__always)
        private func near<D: FixedDimensions>(_: D.Type, _ v: Int, _ x: UnsafePointer<Float>) -> Float {
            let lo = boxes + v * 2 * D.count, hi = lo + D.count
            var near: Float = 0
            for d in 0..<D.count { near = fmaxf(near, fmaxf(lo[d] - x[d], x[d] - hi[d])) }
            return near
        }

        /// dist[j] = the distance from x to a leaf's slot j (+∞ for unused slots).
        @inline(__always)
        private func distances<D: FixedDimensions>(_: D.Type, leaf v: Int, _ x: UnsafePointer<Float>, into dist: UnsafeMutablePointer<Float>) {
            let block = leaves + (v - firstLeaf) * D.count * leafSize
            let x0 = x[0]
            for j in 0..<leafSize { dist[j] = abs(block[j] - x0) }
            for d in 1..<D.count {
                let a = block + d * leafSize, xd = x[d]
                for j in 0..<leafSize { dist[j] = max(dist[j], abs(a[j] - xd)) }
            }
        }

        @inline(never)
        private func countWithin<D: FixedDimensions>(_: D.Type, _ x: UnsafePointer<Float>, _ radii: UnsafePointer<Float>, _ targets: Int,
                                                     _ counts: UnsafeMutablePointer<Int>, _ scratch: borrowing Scratch) {
            let stack = scratch.countStack, dist = scratch.distances
            var top = 1
            stack[0] = (0, targets == 32 ? ~0 : (1 << UInt32(targets)) - 1)
            while top > 0 {
                top -= 1
                let (node, mask) = stack[top]
                let v = Int(node)
                let (near, far) = bounds(D.self, v, x)
                // Targets whose radius cuts the box stay open; the box is wholly inside the others' or outside.
                // Without a branch per target (their outcomes are what a traversal cannot predict).
                var open: UInt32 = 0
                let size = Int(sizes[v])
                for t in 0..<targets {
                    let r = radii[t]
                    let live = mask & (1 << UInt32(t)) != 0 && near <= r
                    let inside = live && far <= r
                    counts[t] &+= inside ? size : 0
                    open |= live && !inside ? 1 << UInt32(t) : 0
                }
                if open == 0 { continue }
                if v >= firstLeaf {
                    distances(D.self, leaf: v, x, into: dist)
                    while open != 0 {
                        let t = open.trailingZeroBitCount
                        open &= open - 1
                        let r = radii[t]
                        var c = 0
                        for j in 0..<leafSize where dist[j] <= r { c &+= 1 }
                        counts[t] &+= c
                    }
                } else {
                    stack[top] = (Int32(2 * v + 1), open)
                    stack[top + 1] = (Int32(2 * v + 2), open)
                    top += 2
                }
            }
        }

        @inline(never)
        private func smallest<D: FixedDimensions>(_: D.Type, _ m: Int, _ x: UnsafePointer<Float>, _ scratch: borrowing Scratch) -> Float {
            let best = scratch.best, stack = scratch.nearStack, dist = scratch.distances
            for i in 0..<m { best[i] = .infinity }
            var worst = Float.infinity
            var top = 1
            stack[0] = (0, 0)
            while top > 0 {
                top -= 1
                let (node, bound) = stack[top]
                guard bound < worst else { continue }
                let v = Int(node)
                if v >= firstLeaf {
                    distances(D.self, leaf: v, x, into: dist)
                    // Most leaves hold no point nearer than the m-th so far: one vectorised
                    // count says so without a branch per point.
                    var nearer = 0
                    for j in 0..<leafSize where dist[j] < worst { nearer &+= 1 }
                    if nearer == 0 { continue }
                    // The first leaf would insert point after point while the list fills: the
                    // m-th smallest of the 8 column minima (real distances of the leaf) bounds
                    // its m-th smallest, so only the points within that bound are inserted.
                    var bound = worst
                    if worst == .infinity && m <= 8 { bound = Self.columnBound(dist, leafSize, m).nextUp }
                    for j in 0..<leafSize {
                        let d = dist[j]
                        if d < bound {
                            worst = SmallestDistances.insert(d, into: best, count: m)
                            bound = min(bound, worst)
                        }
                    }
                    continue
                }
                // Nearer child last, so it is searched first and tightens `worst` for the other.
                let l = 2 * v + 1, r = l + 1
                let bl = near(D.self, l, x), br = near(D.self, r, x)
                if bl <= br {
                    stack[top] = (Int32(r), br)
                    stack[top + 1] = (Int32(l), bl)
                } else {
                    stack[top] = (Int32(l), bl)
                    stack[top + 1] = (Int32(r), br)
                }
                top += 2
            }
            return best[m - 1]
        }

        /// The m-th smallest (m ≤ 8) of the minima of the 8 columns dist[c], dist[c + 8], ….
        @inline(__always)
        private static func columnBound(_ dist: UnsafePointer<Float>, _ size: Int, _ m: Int) -> Float {
            // Slots 0–7: the column minima; 8–15: the m smallest of them, ascending.
            var scratch = (Float.infinity, Float.infinity, Float.infinity, Float.infinity, Float.infinity, Float.infinity, Float.infinity, Float.infinity,
                           Float.infinity, Float.infinity, Float.infinity, Float.infinity, Float.infinity, Float.infinity, Float.infinity, Float.infinity)
            return withUnsafeMutableBytes(of: &scratch) { raw in
                let column = raw.baseAddress!.assumingMemoryBound(to: Float.self), smallest = column + 8
                for row in stride(from: 0, to: size, by: 8) {
                    for l in 0..<8 { column[l] = fminf(column[l], dist[row + l]) }
                }
                var mth = Float.infinity
                for l in 0..<8 where column[l] < mth { mth = SmallestDistances.insert(column[l], into: smallest, count: m) }
                return mth
            }
        }
    }
}

/// A dimension count known to the compiler, so that the searches' loops over coordinates have
/// a constant trip count (unrolled, no loop overhead per node).
protocol FixedDimensions { static var count: Int { get } }
enum Dimensions1: FixedDimensions { static var count: Int { 1 } }
enum Dimensions2: FixedDimensions { static var count: Int { 2 } }
enum Dimensions3: FixedDimensions { static var count: Int { 3 } }
enum Dimensions4: FixedDimensions { static var count: Int { 4 } }
enum Dimensions5: FixedDimensions { static var count: Int { 5 } }
enum Dimensions6: FixedDimensions { static var count: Int { 6 } }
enum Dimensions7: FixedDimensions { static var count: Int { 7 } }
enum Dimensions8: FixedDimensions { static var count: Int { 8 } }
