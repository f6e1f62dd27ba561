/// Points stored dimension-major (`[D][N]`), so the max-norm distances from one point to all
/// others are D passes of a simple loop over samples that the compiler vectorises. `Float` for
/// the patch estimator (twice the SIMD width of `Double`: brute force over 6000² pairs × 32
/// coordinates × 32 channels is its whole cost), `Double` elsewhere.
struct MaxNormPoints<Scalar: BinaryFloatingPoint & Sendable>: @unchecked Sendable {
    let count: Int
    let dimensions: Int
    /// coordinates[d * count + j] = coordinate d of point j.
    let coordinates: [Scalar]

    init(rowMajor values: [Scalar], dimensions: Int) {
        self.dimensions = dimensions
        count = values.count / dimensions
        var t = [Scalar](repeating: 0, count: values.count)
        for j in 0..<count {
            for d in 0..<dimensions { t[d * count + j] = values[j * dimensions + d] }
        }
        coordinates = t
    }

    init(dimensionMajor coordinates: [Scalar], count: Int, dimensions: Int) {
        self.count = count
        self.dimensions = dimensions
        self.coordinates = coordinates
    }

    /// row[j] = max_d |x_j[d] − x_i[d]| for every j (row[i] = 0).
    func distances(from i: Int, into row: inout [Scalar]) {
        row.withUnsafeMutableBufferPointer { rb in distances(from: i, into: rb.baseAddress!) }
    }

    func distances(from i: Int, into row: UnsafeMutablePointer<Scalar>) {
        let n = count
        coordinates.withUnsafeBufferPointer { cb in
            let c = cb.baseAddress!
            // Four coordinates per pass keeps the row in registers for longer (fewer loads/stores).
            var d = 0
            if dimensions >= 4 {
                let a0 = c + 0 * n, a1 = c + 1 * n, a2 = c + 2 * n, a3 = c + 3 * n
                let x0 = a0[i], x1 = a1[i], x2 = a2[i], x3 = a3[i]
                for j in 0..<n {
                    row[j] = max(max(abs(a0[j] - x0), abs(a1[j] - x1)), max(abs(a2[j] - x2), abs(a3[j] - x3)))
                }
                d = 4
            } else {
                let a0 = c
                let x0 = a0[i]
                for j in 0..<n { row[j] = abs(a0[j] - x0) }
                d = 1
            }
            while d + 4 <= dimensions {
                let a0 = c + d * n, a1 = c + (d + 1) * n, a2 = c + (d + 2) * n, a3 = c + (d + 3) * n
                let x0 = a0[i], x1 = a1[i], x2 = a2[i], x3 = a3[i]
                for j in 0..<n {
                    row[j] = max(row[j], max(max(abs(a0[j] - x0), abs(a1[j] - x1)), max(abs(a2[j] - x2), abs(a3[j] - x3))))
                }
                d += 4
            }
            while d < dimensions {
                let a = c + d * n
                let x = a[i]
                for j in 0..<n { row[j] = max(row[j], abs(a[j] - x)) }
                d += 1
            }
        }
    }
}
