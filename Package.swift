// swift-tools-version: 6.1
import PackageDescription

import class Foundation.ProcessInfo

// On x86-64, release builds target Haswell (AVX2, FMA, 2013 and later) so the hand-written SIMD
// kernels use 256-bit vectors: the whole `front` run is ~20 % faster. Swift does not contract
// a·b + c into FMA on its own, so results are bit-identical to a baseline build. Set
// MIPARETO_PORTABLE=1 when building for older x86-64 processors.
#if arch(x86_64)
let hostTuning: [String] = ProcessInfo.processInfo.environment["MIPARETO_PORTABLE"] == nil ? ["-target-cpu", "haswell"] : []
#else
let hostTuning: [String] = []
#endif

// Hot numeric code runs without bounds checks or exclusivity checks in release builds only;
// debug builds keep every check so tests catch out-of-range indexing.
let fastRelease: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"] + hostTuning, .when(configuration: .release)),
]

let package = Package(
    name: "MIPareto",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mipareto", targets: ["mipareto"]),
        .library(name: "Basics", targets: ["Basics"]),
        .library(name: "MultiObjective", targets: ["MultiObjective"]),
        .library(name: "BenchmarkProblems", targets: ["BenchmarkProblems"]),
        .library(name: "FeatureData", targets: ["FeatureData"]),
        .library(name: "Inference", targets: ["Inference"]),
        .library(name: "Importance", targets: ["Importance"]),
        .library(name: "Allocation", targets: ["Allocation"]),
        .library(name: "Reporting", targets: ["Reporting"]),
        .library(name: "Experiments", targets: ["Experiments"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C interop, isolated.
        .systemLibrary(name: "CGLPK", providers: [.apt(["libglpk-dev"])]),
        // CGLPKGuard is C: it includes <glpk.h> itself, so the module map's autolink does not apply.
        .target(name: "CGLPKGuard", dependencies: ["CGLPK"], exclude: ["README.md"], linkerSettings: [.linkedLibrary("glpk")]),
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
        // float16 → float32 with F16C when the CPU has it (features are exported as float16).
        .target(name: "CHalf", exclude: ["README.md"], cSettings: [.unsafeFlags(["-O3"])]),

        // The pipeline, top to bottom (imports point down only; see docs/architecture.md).
        .target(name: "Basics", exclude: ["README.md"], swiftSettings: fastRelease),
        .target(name: "MultiObjective", dependencies: ["Basics"], exclude: ["README.md"], swiftSettings: fastRelease),
        .target(name: "BenchmarkProblems", dependencies: ["Basics", "MultiObjective"], exclude: ["README.md"], swiftSettings: fastRelease),
        .target(name: "FeatureData", dependencies: ["Basics", "CHalf"], exclude: ["README.md"], swiftSettings: fastRelease),
        .target(name: "Inference", dependencies: ["Basics", "FeatureData", "CBLAS"], exclude: ["README.md"], swiftSettings: fastRelease),
        .target(name: "Importance", dependencies: ["Basics", "FeatureData", "Inference"], exclude: ["README.md"], swiftSettings: fastRelease),
        .target(
            name: "Allocation",
            dependencies: ["Basics", "FeatureData", "Importance", "CGLPKGuard"],
            exclude: ["README.md"],
            swiftSettings: fastRelease
        ),
        .target(name: "Reporting", dependencies: ["Basics"], exclude: ["README.md"], swiftSettings: fastRelease),
        .target(
            name: "Experiments",
            dependencies: ["Basics", "MultiObjective", "FeatureData", "Inference", "Importance", "Allocation", "Reporting"],
            exclude: ["README.md"],
            swiftSettings: fastRelease
        ),
        .executableTarget(
            name: "mipareto",
            dependencies: [
                "Basics", "MultiObjective", "BenchmarkProblems", "FeatureData", "Inference", "Importance", "Allocation", "Reporting", "Experiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),

        .testTarget(name: "BasicsTests", dependencies: ["Basics"], exclude: ["spearman_reference.py"]),
        .testTarget(name: "MultiObjectiveTests", dependencies: ["Basics", "MultiObjective", "BenchmarkProblems"]),
        .testTarget(name: "BenchmarkProblemsTests", dependencies: ["Basics", "MultiObjective", "BenchmarkProblems"]),
        .testTarget(name: "FeatureDataTests", dependencies: ["FeatureData", "CHalf"]),
        .testTarget(name: "InferenceTests", dependencies: ["Basics", "Inference", "FeatureData"]),
        .testTarget(name: "ImportanceTests", dependencies: ["Basics", "Importance", "FeatureData", "Inference"]),
        .testTarget(name: "AllocationTests", dependencies: ["Basics", "Allocation", "FeatureData", "Importance"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Basics", "Experiments", "Allocation", "FeatureData", "Inference", "Importance", "MultiObjective", "Reporting"]),
        .testTarget(name: "ReportingTests", dependencies: ["Basics", "Reporting"], exclude: ["bd_rate_reference.py", "front_bd_rate_reference.py"]),
        .testTarget(name: "CLITests", dependencies: ["mipareto"]),
    ]
)
