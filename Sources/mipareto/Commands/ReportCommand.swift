import ArgumentParser
import Basics
import Experiments
import Foundation
import Reporting

/// `mipareto report DIR… -o FILE.svg`: replots the fronts of saved `front` runs on one chart.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Replot saved `front` runs (their front.csv and summary.json) on one chart.",
        discussion: """
        Each DIR is the output folder of `mipareto front`. With several folders, every series is \
        labelled with its folder's name, so runs with different settings can be compared side by side.
        """
    )

    @Argument(help: "Output folders of `mipareto front`.")
    var directories: [String]

    @Option(name: .shortAndLong, help: "The SVG file to write.")
    var output: String

    @Option(help: "The rate on the x axis: bpe (bits per element), or bpp (bits per input pixel; needs inputPixels in the bundle).")
    var rate: FrontChart.RateAxis = .bpe

    @Option(help: "Chart title (default: the bundle name).")
    var title: String?

    func run() throws {
        guard output.hasSuffix(".svg") else { throw ExitStatusError.invalidInput("--output: '\(output)' must end in .svg") }
        var runs: [FrontChart.Run] = []
        var clean: [String: Double] = [:]
        var metricNames: [String: String] = [:]
        var bundles: [String] = []
        for dir in directories {
            let saved = try SavedFront(directory: dir)
            let label = directories.count > 1 ? URL(fileURLWithPath: dir).lastPathComponent : nil
            runs.append(FrontChart.Run(label: label, table: saved.table))
            clean.merge(saved.clean) { first, _ in first }
            metricNames.merge(saved.metricNames) { first, _ in first }
            if let b = saved.bundle, !bundles.contains(b) { bundles.append(b) }
        }
        if Set(runs.map(\.table.taskNames)).count > 1 {
            CommandLineTool.printWarning("the runs have different task lists; panels follow the first run's tasks")
        }
        let heading = title ?? "\(bundles.joined(separator: ", ")): rate vs task metric (report split)"
        if rate == .bpp, !runs.contains(where: { $0.table.points.contains { $0.bitsPerInputPixel != nil } }) {
            throw ExitStatusError.invalidInput("--rate bpp: no run has bits per input pixel (give inputPixels in the bundle's bundle.json)")
        }
        let chart = FrontChart.chart(title: heading, runs: runs, clean: clean, metricNames: metricNames, rate: rate)
        try AtomicFile.write(chart.svg(), to: URL(fileURLWithPath: output))
        print("wrote \(output) (\(runs.reduce(0) { $0 + $1.table.points.count }) points from \(runs.count) run\(runs.count == 1 ? "" : "s"))")
        for (dir, run) in zip(directories, runs) {
            guard let bd = FrontBDRate.table(run.table, reference: "uniform"), !bd.methods.isEmpty else { continue }
            print("\(dir): BD-rate against uniform (%, mean over seeds; negative: fewer bits for the same metric)")
            print(TextTable.render(header: ["method"] + bd.taskNames, rows: FrontBDRate.rows(bd)), terminator: "")
        }
    }
}


extension FrontChart.RateAxis: ExpressibleByArgument {}
