/// The k smallest distances seen so far, kept sorted in a tiny inline buffer (k is 3–10 in
/// practice, so insertion into a sorted array beats a heap).
struct SmallestDistances {
    private(set) var values: [Double]
    let k: Int
    private(set) var filled = 0

    init(k: Int) {
        self.k = k
        values = [Double](repeating: .infinity, count: k)
    }

    mutating func reset() {
        filled = 0
        for i in 0..<k { values[i] = .infinity }
    }

    /// The current k-th smallest (∞ until k values were offered).
    @inline(__always) var kth: Double { values[k - 1] }

    /// Inserts d into the m ascending slots at `best` (d < best[m − 1]), dropping the largest,
    /// and returns the new m-th smallest: the raw-pointer form for hot loops.
    @inline(__always)
    static func insert<T: Comparable>(_ d: T, into best: UnsafeMutablePointer<T>, count m: Int) -> T {
        var i = m - 1
        while i > 0 && best[i - 1] > d {
            best[i] = best[i - 1]
            i -= 1
        }
        best[i] = d
        return best[m - 1]
    }

    @inline(__always)
    mutating func offer(_ d: Double) {
        guard d < values[k - 1] else { return }
        var i = k - 1
        while i > 0 && values[i - 1] > d {
            values[i] = values[i - 1]
            i -= 1
        }
        values[i] = d
        if filled < k { filled += 1 }
    }
}
