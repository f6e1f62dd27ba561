// swift-tools-version: 6.1
import PackageDescription

// Kept apart from the main package so that building and testing MIPareto never builds
// package-benchmark. Run from this folder:
//   swift package --allow-writing-to-package-directory benchmark      (package-benchmark suite)
//   swift run -c release compare-peers <area>                         (ours vs the peer, same run)
let package = Package(
    name: "MIParetoBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "MIPareto", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Synthetic workloads shared by the package benchmarks and compare-peers.
        .target(name: "BenchmarkData", dependencies: [.product(name: "Basics", package: "MIPareto"), .product(name: "MultiObjective", package: "MIPareto")], path: "Sources/BenchmarkData"),
        .executableTarget(
            name: "MIParetoBenchmarks",
            dependencies: [
                "BenchmarkData",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Basics", package: "MIPareto"),
                .product(name: "MultiObjective", package: "MIPareto"),
                .product(name: "BenchmarkProblems", package: "MIPareto"),
                .product(name: "FeatureData", package: "MIPareto"),
                .product(name: "Inference", package: "MIPareto"),
                .product(name: "Importance", package: "MIPareto"),
                .product(name: "Allocation", package: "MIPareto"),
                .product(name: "Experiments", package: "MIPareto"),
            ],
            path: "Benchmarks/MIParetoBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "compare-peers",
            dependencies: [
                "BenchmarkData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Basics", package: "MIPareto"),
                .product(name: "MultiObjective", package: "MIPareto"),
                .product(name: "BenchmarkProblems", package: "MIPareto"),
                .product(name: "FeatureData", package: "MIPareto"),
                .product(name: "Inference", package: "MIPareto"),
                .product(name: "Importance", package: "MIPareto"),
                .product(name: "Allocation", package: "MIPareto"),
                .product(name: "Reporting", package: "MIPareto"),
                .product(name: "Experiments", package: "MIPareto"),
            ],
            path: "Sources/compare-peers",
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
        // Writes headless synthetic bundles of real network sizes (issue: gigabyte bundles).
        .executableTarget(
            name: "synthetic-bundle",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Basics", package: "MIPareto"),
            ],
            path: "Sources/synthetic-bundle"
        ),
    ]
)
