import ArgumentParser
import Experiments
import FeatureData
import Foundation
import Importance

/// `mipareto fidelity BUNDLE --measures …`: does each measure's ILP objective rank allocations as
/// the true task losses do?
struct FidelityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fidelity",
        abstract: "Proxy fidelity: Spearman between each measure's ILP objective and the true loss, over random allocations.",
        discussion: """
        Draws --allocations random allocations at each --budgets value (seeded), scores them on the \
        report split with the bundle's heads, and for each measure compares its budget-form objective \
        (Σ_c a_c d_c(b_c) with equal task weights; for sensitivity the sum of measured losses) with the \
        true loss (mean over tasks of 1 − metric/clean). spearman is the mean over budgets of the rank \
        correlation among allocations of the same budget (what the ILP relies on); 1 = the proxy ranks \
        them exactly as the network does.

        Examples:
          mipareto fidelity BUNDLE --measures mi,sensitivity,l1,variance,random
          mipareto fidelity BUNDLE --measures mi,l1 --budgets 1,2 --allocations 64 -o fid --json
        """
    )

    @Argument(help: "The bundle directory (the folder holding bundle.json).")
    var bundle: String

    @Option(help: ArgumentHelp("Comma-separated measures.", valueName: "M,…"), transform: argument(ArgumentList.measures))
    var measures: [ImportanceMeasure] = [.mi, .sensitivity, .l1, .variance, .random]

    @Option(help: ArgumentHelp("Budgets in bits per element.", valueName: "a:step:b"), transform: argument(BudgetGrid.parse))
    var budgets: [Double] = [1, 2, 3, 4]

    @Option(help: ArgumentHelp("Random allocations per budget.", valueName: "N"))
    var allocations = 32

    @OptionGroup var maxBits: MaxBitsOption

    @Option(help: "Seed of the random allocations (and of seeded measures).")
    var seed: UInt64 = 1

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output folder for fidelity.csv and fidelity.svg (created if missing).", valueName: "DIR"))
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    var settings: ProxyFidelity.Settings {
        ProxyFidelity.Settings(measures: measures, budgets: budgets, allocationsPerBudget: allocations, maxBits: maxBits.maxBits, seed: seed)
    }

    func validate() throws {
        if let output { try OutputFolder.check(output) }
        try validating { _ = try settings.validated() }
    }

    func run() throws {
        let featureBundle = try FeatureBundle(directory: bundle)
        let result = try ProxyFidelity.run(bundle: featureBundle, settings: settings)
        if let output { try OutputFolder.write(FidelityReport.files(result), to: output) }
        var text = "\(result.bundle): proxy fidelity over \(result.samples.count) random allocations (\(allocations) per budget) on report\n"
        let table = FidelityReport.table(result)
        text += TextTable.render(header: table.header, rows: table.rows)
        if let output { text += "wrote \(output)/fidelity.csv, \(output)/fidelity.svg\n" }
        outputOptions.emit(json: FidelityReport.json(result), text: text)
    }
}
