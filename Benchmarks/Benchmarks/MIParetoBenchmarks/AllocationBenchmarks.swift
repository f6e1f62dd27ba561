import Allocation
import Basics
import Benchmark
import Foundation
import MultiObjective

/// The hot path of issue 5: `ExactSolver` on the instance families of shared/peers/ilp_peers.md
/// (costs w_c·var_c·2^(−2b), w ~ U(0.05, 1), var ~ LogNormal(0, 1.5), R = 4·Σ S_c), drawn with
/// MIPareto's own generator (the same distribution as numpy's, not the same numbers; the
/// same-numbers comparison with HiGHS is `compare-peers ilp`). GLPK is timed there, not here.
func registerAllocationBenchmarks() {
    for (variant, channels) in [("uniform", 1024), ("hetero", 4096)] {
        let problem = allocationBenchmarkInstance(channels: channels, hetero: variant == "hetero", seed: 1)
        Benchmark("ExactSolver \(variant) C=\(channels)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? ExactSolver.solve(problem))
            }
        }
    }
}

func allocationBenchmarkInstance(channels: Int, hetero: Bool, seed: UInt64) -> AllocationProblem {
    var rng = SeededRandom(seed: seed)
    let menu = [49, 196, 784, 3136]
    var sizes: [Int] = [], costs: [[Double]] = []
    for _ in 0..<channels {
        let weight = 0.05 + 0.95 * rng.nextUnit()
        let variance = exp(1.5 * rng.nextNormal())
        costs.append((0...8).map { weight * variance * pow(2, -2 * Double($0)) })
        sizes.append(hetero ? menu[rng.nextInt(below: 4)] : 196)
    }
    return try! AllocationProblem(sizes: sizes, costs: costs, maxRate: Double(4 * sizes.reduce(0, +)))
}
