import Benchmark

// One register function per area, each in its own file.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident],
        maxDuration: .seconds(5),
        maxIterations: 50
    )
    registerAllocationBenchmarks()
    registerAllocatorBenchmarks()
    registerImportanceBenchmarks()
    registerMultiObjectiveBenchmarks()
    registerEvalBenchmarks()
    registerStreamBenchmarks()
}
