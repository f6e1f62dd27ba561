import ArgumentParser

/// `compare-peers AREA`: times MIPareto and the Python peer on the same input in the same run and
/// prints the ratio. Each area is one file in this folder.
@main
struct ComparePeers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-peers",
        abstract: "MIPareto against the Python peers (Benchmarks/peers), same input, same run, as a ratio.",
        subcommands: [
            ILPComparison.self,
            MIComparison.self,
            NSGA2Comparison.self,
            NSGA3Comparison.self,
            SortingComparison.self,
            HypervolumeComparison.self,
            EvalComparison.self,
            DistortionComparison.self,
            StreamComparison.self,
            FrontComparison.self,
            ArchiveComparison.self,
            EvaluatorOverhead.self,
            EvaluatorFront.self,
            RayScaling.self,
        ]
    )
}
