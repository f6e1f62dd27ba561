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
}
