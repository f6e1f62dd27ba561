import Foundation

/// A population stored row by row in flat arrays (one row per individual), so the hot loops walk
/// contiguous memory and nothing is boxed per individual.
///
/// `rank` and `crowding` are filled by survival; `violation` is the total constraint violation
/// `Σ max(0, g_j)` (0 = feasible), which constraint domination compares first.
public struct Population: Codable, Sendable, Equatable {
    public private(set) var count: Int
    public let variableCount: Int
    public let objectiveCount: Int
    public let constraintCount: Int
    public var x: [Double]
    public var f: [Double]
    public var g: [Double]
    public var violation: [Double]
    public var rank: [Int]
    public var crowding: [Double]

    public init(count: Int, variableCount: Int, objectiveCount: Int, constraintCount: Int) {
        self.count = count
        self.variableCount = variableCount
        self.objectiveCount = objectiveCount
        self.constraintCount = constraintCount
        x = Array(repeating: 0, count: count * variableCount)
        f = Array(repeating: 0, count: count * objectiveCount)
        g = Array(repeating: 0, count: count * constraintCount)
        violation = Array(repeating: 0, count: count)
        rank = Array(repeating: 0, count: count)
        crowding = Array(repeating: 0, count: count)
    }

    public func variables(of i: Int) -> [Double] { Array(x[i * variableCount..<(i + 1) * variableCount]) }
    public func objectives(of i: Int) -> [Double] { Array(f[i * objectiveCount..<(i + 1) * objectiveCount]) }

    /// Resizes to `newCount` rows (new rows are zero; rows past `newCount` are dropped).
    mutating func resize(to newCount: Int) {
        func fit<T>(_ a: inout [T], _ width: Int, _ zero: T) {
            if a.count > newCount * width { a.removeLast(a.count - newCount * width) }
            else { a.append(contentsOf: repeatElement(zero, count: newCount * width - a.count)) }
        }
        fit(&x, variableCount, 0); fit(&f, objectiveCount, 0); fit(&g, constraintCount, 0)
        fit(&violation, 1, 0); fit(&rank, 1, 0); fit(&crowding, 1, 0)
        count = newCount
    }

    /// Copies row `j` of `other` into row `i` of this population (same shape).
    mutating func copyRow(_ i: Int, from other: Population, row j: Int) {
        let n = variableCount, m = objectiveCount, k = constraintCount
        x.withUnsafeMutableBufferPointer { d in other.x.withUnsafeBufferPointer { s in
            for v in 0..<n { d[i * n + v] = s[j * n + v] } } }
        f.withUnsafeMutableBufferPointer { d in other.f.withUnsafeBufferPointer { s in
            for v in 0..<m { d[i * m + v] = s[j * m + v] } } }
        if k > 0 {
            g.withUnsafeMutableBufferPointer { d in other.g.withUnsafeBufferPointer { s in
                for v in 0..<k { d[i * k + v] = s[j * k + v] } } }
        }
        violation[i] = other.violation[j]
        rank[i] = other.rank[j]
        crowding[i] = other.crowding[j]
    }

    /// Makes this population the rows `rows` of `source`, in that order (one pass per array, no
    /// per-row overhead: survival gathers every generation).
    mutating func gather(from source: Population, rows: [Int]) {
        resize(to: rows.count)
        Population.gather(&x, source.x, rows, variableCount)
        Population.gather(&f, source.f, rows, objectiveCount)
        Population.gather(&g, source.g, rows, constraintCount)
        Population.gather(&violation, source.violation, rows, 1)
        Population.gather(&rank, source.rank, rows, 1)
        Population.gather(&crowding, source.crowding, rows, 1)
    }

    private static func gather<T>(_ destination: inout [T], _ source: [T], _ rows: [Int], _ width: Int) {
        guard width > 0 else { return }
        destination.withUnsafeMutableBufferPointer { d in
            source.withUnsafeBufferPointer { s in
                for (k, r) in rows.enumerated() {
                    (d.baseAddress! + k * width).update(from: s.baseAddress! + r * width, count: width)
                }
            }
        }
    }

    /// Appends rows `0..<count` of `other` (same shape) after this population's rows.
    mutating func append(_ other: Population, count: Int) {
        x.append(contentsOf: other.x[0..<(count * variableCount)])
        f.append(contentsOf: other.f[0..<(count * objectiveCount)])
        g.append(contentsOf: other.g[0..<(count * constraintCount)])
        violation.append(contentsOf: other.violation[0..<count])
        rank.append(contentsOf: other.rank[0..<count])
        crowding.append(contentsOf: other.crowding[0..<count])
        self.count += count
    }
}
