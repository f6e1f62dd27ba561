import Benchmark

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(5), maxIterations: 50)
    Benchmark("placeholder") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(1 + 1) }
    }
}
