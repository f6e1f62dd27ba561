@testable import Allocation
import Basics
import MultiObjective

/// Random problems and a brute-force solver: the independent reference of these tests.
enum RandomInstances {
    enum CostShape: CaseIterable {
        /// `w·v·2^(−2b)`, the distortion tables of ilp_peers.py.
        case distortion
        /// Decreasing in b but not convex.
        case decreasing
        /// Any signs, any order.
        case arbitrary
    }

    static func costs(channels: Int, maxBits: Int, shape: CostShape, rng: inout SeededRandom) -> [[Double]] {
        (0..<channels).map { _ in
            switch shape {
            case .distortion:
                let scale = (0.05 + 0.95 * rng.nextUnit()) * exp(1.5 * rng.nextNormal())
                return (0...maxBits).map { scale * pow(2, -2 * Double($0)) }
            case .decreasing:
                var value = 1 + 9 * rng.nextUnit()
                return (0...maxBits).map { _ in
                    defer { value *= rng.nextUnit() }
                    return value
                }
            case .arbitrary:
                return (0...maxBits).map { _ in 10 * rng.nextUnit() - 3 }
            }
        }
    }

    static func sizes(channels: Int, rng: inout SeededRandom) -> [Int] {
        let menu = [1, 2, 3, 5, 7, 49, 196, 784, 3136]
        let mixed = rng.nextUnit() < 0.7
        let common = menu[rng.nextInt(below: menu.count)]
        return (0..<channels).map { _ in mixed ? menu[rng.nextInt(below: menu.count)] : common }
    }

    /// A budget-form problem with a rate limit anywhere between nothing and everything.
    static func budgetProblem(channels: Int, maxBits: Int, shape: CostShape, rng: inout SeededRandom) -> AllocationProblem {
        let sizes = sizes(channels: channels, rng: &rng)
        let full = Double(sizes.reduce(0, +) * maxBits)
        let maxRate = rng.nextUnit() < 0.1 ? (rng.nextUnit() < 0.5 ? 0 : full * 1.5) : (full * rng.nextUnit()).rounded()
        return try! AllocationProblem(sizes: sizes, costs: costs(channels: channels, maxBits: maxBits, shape: shape, rng: &rng), maxRate: maxRate)
    }

    /// Exhaustive search over all `(B+1)^C` allocations; nil when none is feasible.
    static func bruteForce(_ problem: AllocationProblem) -> (bits: [Int], objective: Double)? {
        let channels = problem.channels, depths = problem.maxBits + 1
        var bits = [Int](repeating: 0, count: channels)
        var best: (bits: [Int], objective: Double)?
        while true {
            var rate = 0
            for c in 0..<channels { rate += bits[c] * problem.sizes[c] }
            var feasible = Double(rate) <= problem.maxRate
            for row in problem.constraints where feasible {
                var total = 0.0
                for c in 0..<channels { total += row.costs[c][bits[c]] }
                feasible = total <= row.max
            }
            if feasible {
                var objective = 0.0
                for c in 0..<channels { objective += problem.costs[c][bits[c]] }
                if best == nil || objective < best!.objective { best = (bits, objective) }
            }
            var c = 0
            while c < channels {
                bits[c] += 1
                if bits[c] < depths { break }
                bits[c] = 0
                c += 1
            }
            if c == channels { return best }
        }
    }

    static func relativeDifference(_ a: Double, _ b: Double) -> Double {
        abs(a - b) / max(abs(a), abs(b), 1e-300)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
