import Basics
import Benchmark
import BenchmarkProblems
import MultiObjective

/// The hot paths of MultiObjective: a whole NSGA-II run, non-dominated sorting, 3-D hypervolume.
func registerMultiObjectiveBenchmarks() {
    Benchmark("NSGA-II ZDT1 25000 evaluations", configuration: .init(maxIterations: 20)) { benchmark in
        let problem = try TestProblems.make("zdt1")
        for _ in benchmark.scaledIterations {
            let nsga = try NSGA2(problem: problem, seed: 1)
            nsga.run(until: .evaluations(25_000))
            blackHole(nsga.state.evaluations)
        }
    }
    for m in [2, 3] {
        var random = SeededRandom(seed: 0)
        let flat = (0..<(10_000 * m)).map { _ in random.nextUnit() }
        Benchmark("Non-dominated sorting 10000 points M=\(m)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(flat.withUnsafeBufferPointer { NonDominatedSorting.ranks($0, count: 10_000, dimension: m) })
            }
        }
    }
    var random = SeededRandom(seed: 1)
    let sphere = (0..<1000).map { _ -> [Double] in
        let v = (0..<3).map { _ in abs(random.nextNormal()) }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / norm }
    }
    Benchmark("Hypervolume 3-D 1000 points") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Hypervolume.compute(sphere, reference: [1.1, 1.1, 1.1]))
        }
    }
}
