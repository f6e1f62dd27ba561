import ArgumentParser
import Experiments
import FeatureData
import Foundation
import Inference

/// `compare-peers evaluator-front`: the same `front` on digits-pair-mini scored by MIPareto's own
/// heads and through the NumPy reference evaluator (examples/evaluators/numpy_heads.py, the same
/// heads in float64 NumPy behind the protocol), in the same run: the time of each and the ratio.
/// The evaluator's start (Python, NumPy, reading the bundle) is timed apart.
struct EvaluatorFront: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluator-front",
        abstract: "`front` on digits-pair-mini: internal scoring vs the NumPy evaluator, same input, same run."
    )

    @Option(help: "Methods, comma-separated.")
    var methods = "ilp-mi,ilp-l1,uniform,nsga2"

    @Option(help: "NSGA-II population.")
    var population = 32

    @Option(help: "NSGA-II generations.")
    var generations = 10

    @Option(help: "--evaluator-inflight K.")
    var inflight = 1

    @Option(help: "Extra words after the evaluator's command (e.g. \"--actors 2\").")
    var evaluatorArguments = ""

    @Option(help: "The Python interpreter running the evaluator.")
    var python = "python3"

    func run() throws {
        let path = PeerRunner.repositoryDirectory.appendingPathComponent("examples/data/digits-pair-mini").path
        let bundle = try FeatureBundle(directory: path)
        let settings = FrontSettings(methods: try FrontMethod.parseList(methods), seeds: [1], population: population,
                                     generations: generations, seedFromILP: true)
        let command = "\(python) \(PeerRunner.repositoryDirectory.appendingPathComponent("examples/evaluators/numpy_heads.py").path) \(evaluatorArguments)"
            .trimmingCharacters(in: .whitespaces)
        print("front on digits-pair-mini: \(methods), \(settings.budgets.count) budgets, P = \(population), G = \(generations), --seed-from-ilp (\(RayCluster.load()))")

        var heads: FrontResult?
        let internalSeconds = try Stopwatch.seconds { heads = try FrontRunner(bundle: bundle, settings: settings).run() }
        var session: EvaluatorSession?
        let startSeconds = try Stopwatch.seconds {
            session = try EvaluatorSession(command: command, bundle: bundle, quantiser: Quantiser(fitOf: bundle), maxBits: settings.maxBits)
        }
        defer { session?.stop() }
        var external: FrontResult?
        let evaluatorSeconds = try Stopwatch.seconds {
            external = try FrontRunner(bundle: bundle, settings: settings, source: .evaluator(session!, inflight: inflight)).run()
        }
        let asked = external!.evaluatorRequests!
        print(String(format: "  internal scoring (Swift heads):  %.2f s", internalSeconds))
        print(String(format: "  NumPy evaluator (%@): %.2f s (+ %.2f s to start it), %d allocations in %d requests, %.2f ms per allocation",
                     command.split(separator: "/").last.map(String.init) ?? command, evaluatorSeconds, startSeconds, asked.allocations, asked.requests,
                     evaluatorSeconds * 1e3 / Double(max(1, asked.allocations))))
        print(String(format: "  ratio evaluator / internal: %.1f×", evaluatorSeconds / internalSeconds))
        for (a, b) in zip(heads!.methods, external!.methods) {
            print("    " + a.name.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: " hypervolume %.6f internal, %.6f evaluator", a.hypervolume, b.hypervolume))
        }
    }
}
