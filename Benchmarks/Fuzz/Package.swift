// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for MIPareto's parsers (issue 16), kept apart from the main package so that
// building and testing MIPareto never builds them. Build and run with `make fuzz` at the top, or:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
// (`-enable-testing` lets the targets reach the internal checks the CLI runs; each target's main
// calls libFuzzer's driver, so no -parse-as-library; see README.md.)
let package = Package(
    name: "MIParetoFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "MIPareto", path: "../.."),
    ],
    targets: [
        // What every target shares: the input as Data, scratch folders, the example bundle.
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"], path: "Sources/FuzzSupport"),
        // The declaration of libFuzzer's driver, which each target's main calls.
        .target(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
        .executableTarget(name: "fuzz-npy", dependencies: ["FuzzSupport", .product(name: "FeatureData", package: "MIPareto")], path: "Sources/fuzz-npy"),
        .executableTarget(name: "fuzz-bundle", dependencies: ["FuzzSupport", .product(name: "FeatureData", package: "MIPareto")], path: "Sources/fuzz-bundle"),
        .executableTarget(name: "fuzz-problem", dependencies: ["FuzzSupport", .product(name: "Allocation", package: "MIPareto")], path: "Sources/fuzz-problem"),
        .executableTarget(name: "fuzz-allocation", dependencies: ["FuzzSupport", .product(name: "Experiments", package: "MIPareto")], path: "Sources/fuzz-allocation"),
        .executableTarget(
            name: "fuzz-front-checkpoint",
            dependencies: ["FuzzSupport", .product(name: "Experiments", package: "MIPareto"), .product(name: "FeatureData", package: "MIPareto")],
            path: "Sources/fuzz-front-checkpoint"
        ),
        .executableTarget(
            name: "fuzz-nsga-checkpoint",
            dependencies: ["FuzzSupport", .product(name: "MultiObjective", package: "MIPareto"), .product(name: "BenchmarkProblems", package: "MIPareto")],
            path: "Sources/fuzz-nsga-checkpoint"
        ),
        .executableTarget(
            name: "fuzz-evaluator-reply",
            dependencies: ["FuzzSupport", .product(name: "Inference", package: "MIPareto"), .product(name: "FeatureData", package: "MIPareto")],
            path: "Sources/fuzz-evaluator-reply"
        ),
    ]
)
