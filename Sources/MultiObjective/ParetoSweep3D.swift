import Foundation

/// Non-dominated sorting of three objectives in O(N log N · log F) for F fronts.
///
/// Points are visited in lexicographic order, so a point's possible dominators all come before
/// it and already satisfy f1 ≤ p.f1. Front k then dominates p exactly when some member is ≤ p in
/// (f2, f3) and not identical to p. Each front keeps the 2-D minimal set ("staircase") of its
/// members' (f2, f3): f2 strictly increasing, f3 strictly decreasing. The member with the largest
/// f2 ≤ p.f2 has the smallest f3 among candidates, so one binary search answers the question.
/// Monotonicity in k (as in ENS-BS) allows a binary search over fronts.
enum ParetoSweep3D {
    private struct Entry { var a: Double; var b: Double; var c: Double; var index: Int }
    private struct Stair { var a: Double; var b: Double; var c: Double }

    static func ranks(_ f: UnsafePointer<Double>, count n: Int) -> [Int] {
        var entries = [Entry](unsafeUninitializedCapacity: n) { buf, cnt in
            for i in 0..<n { buf[i] = Entry(a: f[3 * i], b: f[3 * i + 1], c: f[3 * i + 2], index: i) }
            cnt = n
        }
        entries.withUnsafeMutableBufferPointer { e in
            e.sort { x, y in
                if x.a != y.a { return x.a < y.a }
                if x.b != y.b { return x.b < y.b }
                if x.c != y.c { return x.c < y.c }
                return x.index < y.index
            }
        }
        var ranks = [Int](repeating: 0, count: n)
        var stairs: [[Stair]] = []

        /// Index of the last stair with b ≤ value, or -1.
        @inline(__always) func lastAtMost(_ s: UnsafeBufferPointer<Stair>, _ value: Double) -> Int {
            var lo = 0, hi = s.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if s[mid].b <= value { lo = mid + 1 } else { hi = mid }
            }
            return lo - 1
        }

        for p in entries {
            var lo = 0, hi = stairs.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                let dominated: Bool = stairs[mid].withUnsafeBufferPointer { s in
                    let q = lastAtMost(s, p.b)
                    guard q >= 0, s[q].c <= p.c else { return false }
                    return !(s[q].a == p.a && s[q].b == p.b && s[q].c == p.c)
                }
                if dominated { lo = mid + 1 } else { hi = mid }
            }
            ranks[p.index] = lo
            let stair = Stair(a: p.a, b: p.b, c: p.c)
            if lo == stairs.count { stairs.append([stair]); continue }
            // Insert p, dropping members it 2-D dominates: they sit right after p's position.
            let (pos, end): (Int, Int) = stairs[lo].withUnsafeBufferPointer { s in
                let pos = lastAtMost(s, p.b) + 1
                // A member with b == p.b (and c ≥ p.c) sits just before `pos`.
                var start = pos
                if start > 0, s[start - 1].b == p.b { start -= 1 }
                var end = start
                while end < s.count, s[end].c >= p.c { end += 1 }
                return (start, end)
            }
            stairs[lo].replaceSubrange(pos..<end, with: CollectionOfOne(stair))
        }
        return ranks
    }
}
