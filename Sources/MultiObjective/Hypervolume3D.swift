import Foundation

/// Exact 3-D hypervolume by the dimension sweep of Beume, Fonseca, López-Ibáñez, Paquete &
/// Vahrenhold (2009, "On the complexity of computing the hypervolume indicator").
///
/// Points are swept in increasing f3. The area dominated in (f1, f2) by the points seen so far is
/// kept with its staircase (f1 increasing, f2 decreasing) in a sorted array; between two sweep
/// positions that area times the f3 gap is added. Inserting a point adds the area it newly covers
/// and removes the staircase points it dominates in 2-D. Each point is inserted and removed at most
/// once; finding its place is a binary search, and the removals are a contiguous run. (The shift
/// of the array is a `memmove`, far faster than a balanced tree's pointer chasing at these sizes.)
enum Hypervolume3D {
    private struct Corner { var a: Double; var b: Double }

    static func compute(_ p: UnsafeMutablePointer<Double>, count n: Int, reference r: UnsafePointer<Double>) -> Double {
        var order = [Int32](unsafeUninitializedCapacity: n) { buf, c in
            for i in 0..<n { buf[i] = Int32(i) }
            c = n
        }
        order.withUnsafeMutableBufferPointer { o in
            o.sort { x, y in
                let px = p + Int(x) * 3, py = p + Int(y) * 3
                if px[2] != py[2] { return px[2] < py[2] }
                if px[0] != py[0] { return px[0] < py[0] }
                return px[1] < py[1]
            }
        }
        let ra = r[0], rb = r[1], rc = r[2]
        // Staircase with two sentinels: (-∞, rb) on the left and (ra, -∞) on the right, so every
        // real point has neighbours on both sides.
        var stairs = [Corner]()
        stairs.reserveCapacity(n + 2)
        stairs.append(Corner(a: -.infinity, b: rb))
        stairs.append(Corner(a: ra, b: -.infinity))
        var area = 0.0, volume = 0.0
        var lastC = p[Int(order[0]) * 3 + 2]

        for k in 0..<n {
            let q = p + Int(order[k]) * 3
            let a = q[0], b = q[1], c = q[2]
            volume += area * (c - lastC)
            lastC = c
            // First staircase index with corner.a > a.
            var lo = 0, hi = stairs.count
            stairs.withUnsafeBufferPointer { s in
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if s[mid].a <= a { lo = mid + 1 } else { hi = mid }
                }
            }
            let right = lo
            // The corner at or before `a` with the largest a; if its b ≤ b, q is already covered.
            if stairs[right - 1].b <= b { continue }
            // Remove the corners q dominates (a' ≥ a, b' ≥ b), adding the area q newly covers.
            // Walk right from `right`; the stretch left of `right` with a' == a (at most one) too.
            var start = right
            if stairs[right - 1].a == a { start = right - 1 }
            var end = right
            var added = 0.0
            stairs.withUnsafeBufferPointer { s in
                // The region newly covered is the staircase area between q's corner and the existing
                // staircase: walk the corners from left to right, summing rectangles.
                var prevA = a
                var upperB = s[start - 1].b            // height of the staircase just left of q
                var j = start
                while j < s.count && s[j].b >= b {
                    let w = s[j].a - prevA
                    added += w * (upperB - b)
                    upperB = s[j].b
                    prevA = s[j].a
                    j += 1
                }
                // Up to the next corner (which is below q in b), the staircase height is upperB.
                added += (s[j].a - prevA) * (upperB - b)
                end = j
            }
            area += added
            stairs.replaceSubrange(start..<end, with: CollectionOfOne(Corner(a: a, b: b)))
        }
        volume += area * (rc - lastC)
        return volume
    }
}
