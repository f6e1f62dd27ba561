import ArgumentParser

/// The `mipareto` command line: thin; every command calls the library and prints.
@main
struct MIPareto: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mipareto",
        abstract: "Channel importance, bit allocation and Pareto fronts for split multi-task networks.",
        discussion: """
        A feature bundle (see docs/format.md) holds the split-layer features of your network, its task \
        heads and labels. Start with `mipareto inspect examples/data/digits-pair-mini`.
        """,
        version: "0.1.0",
        subcommands: [
            InspectCommand.self,
            EvaluateCommand.self,
            ImportanceCommand.self,
            SelectCommand.self,
            AllocateCommand.self,
            WeightsCommand.self,
            SolveCommand.self,
            ReportCommand.self,
            NSGA2Command.self,
            FrontCommand.self,
            FidelityCommand.self,
        ]
    )

    static func main() { CommandLineTool.main(MIPareto.self) }
}
