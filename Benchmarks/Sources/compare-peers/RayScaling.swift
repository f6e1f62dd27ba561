import ArgumentParser
import Experiments
import FeatureData
import Foundation
import Inference

/// `compare-peers ray-scaling`: the evaluator pool on Ray. One local cluster of `--cpus` CPUs is
/// started before anything is timed; each evaluator joins it with `--ray-address`, and its actors'
/// start-up (Python, NumPy, the bundle) is timed apart. Then `front` with NSGA-II alone (P = 64,
/// G = 20) on digits-pair-mini through examples/evaluators/busy.py:
///
/// 1. 20 ms of CPU per allocation on 1 and on 2 actors: `Ray, 2 actors vs 1: X×` (target ≥ 1.5×
///    on 2 cores, the limit is 2×);
/// 2. 0 ms per allocation in the evaluator's own process, on 1 actor and on 2: what the protocol
///    and Ray add per allocation and per batch (one NSGA-II generation is one batch), the figure
///    that bounds scaling to many actors (docs/scaling.md).
struct RayScaling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ray-scaling",
        abstract: "front (NSGA-II P = 64, G = 20) through a busy evaluator on 1 vs 2 Ray actors (target ≥ 1.5×), and the protocol + Ray overhead."
    )

    @Option(help: "CPU milliseconds per allocation of the busy evaluator.")
    var ms = 20.0

    @Option(help: "NSGA-II population (one generation = one batch).")
    var population = 64

    @Option(help: "NSGA-II generations.")
    var generations = 20

    @Option(help: "CPUs of the local Ray cluster.")
    var cpus = 2

    @Option(help: "The Python interpreter (with ray) running the evaluator.")
    var python = "python3"

    @Flag(help: "Skip the 0 ms overhead runs.")
    var noOverhead = false

    struct Run {
        var seconds: Double
        var startSeconds: Double
        var allocations: Int
        var requests: Int
        var front: [FrontPoint]
    }

    func run() throws {
        let path = PeerRunner.repositoryDirectory.appendingPathComponent("examples/data/digits-pair-mini").path
        let bundle = try FeatureBundle(directory: path)
        let settings = FrontSettings(methods: [.nsga2], seeds: [1], population: population, generations: generations)
        let busy = "\(python) \(PeerRunner.repositoryDirectory.appendingPathComponent("examples/evaluators/busy.py").path)"
        var cluster: RayCluster?
        let clusterSeconds = try Stopwatch.seconds { cluster = try RayCluster(cpus: cpus) }
        defer { cluster?.stop() }
        print(String(format: "Ray cluster of %d CPUs at %@ started in %.1f s (not timed below); %@", cpus, cluster!.address, clusterSeconds, RayCluster.load()))

        func front(_ ms: Double, actors: Int?) throws -> Run {
            let pool = actors.map { " --actors \($0) --ray-address \(cluster!.address) --ray-namespace mipareto-bench-\(ProcessInfo.processInfo.processIdentifier)-\(ms)-\($0)" } ?? ""
            var session: EvaluatorSession?
            let startSeconds = try Stopwatch.seconds {
                session = try EvaluatorSession(command: busy + " --ms \(ms)" + pool, bundle: bundle, quantiser: Quantiser(fitOf: bundle), maxBits: settings.maxBits)
            }
            defer { session?.stop() }
            var result: FrontResult?
            let seconds = try Stopwatch.seconds { result = try FrontRunner(bundle: bundle, settings: settings, source: .evaluator(session!)).run() }
            let asked = result!.evaluatorRequests!
            let run = Run(seconds: seconds, startSeconds: startSeconds, allocations: asked.allocations, requests: asked.requests, front: result!.points)
            print(String(format: "  %4.0f ms/allocation, %@: %.2f s (%d allocations in %d requests, %.3f ms per allocation; evaluator start %.1f s)",
                         ms, actors.map { "\($0) actor\($0 == 1 ? "" : "s")" } ?? "no Ray ", seconds, run.allocations, run.requests,
                         seconds * 1e3 / Double(max(1, run.allocations)), startSeconds))
            return run
        }

        print("front, NSGA-II P = \(population), G = \(generations), digits-pair-mini, busy evaluator:")
        let one = try front(ms, actors: 1)
        let two = try front(ms, actors: 2)
        precondition(one.front.map(\.metrics) == two.front.map(\.metrics), "1 and 2 actors gave different fronts")
        let ratio = one.seconds / two.seconds
        print(String(format: "Ray, 2 actors vs 1: %.2f× (%@; target ≥ 1.5×, limit 2×: %@)", ratio, RayCluster.load(), ratio >= 1.5 ? "met" : "NOT met"))
        guard !noOverhead else { return }

        print("overhead: the same front with 0 ms per allocation")
        let local = try front(0, actors: nil)
        let oneZero = try front(0, actors: 1)
        let twoZero = try front(0, actors: 2)
        for (name, run) in [("1 actor", oneZero), ("2 actors", twoZero)] {
            let extra = run.seconds - local.seconds
            print(String(format: "  Ray on %@ adds %.3f ms per allocation, %.2f ms per batch of %d (over the evaluator in its own process: %.3f ms per allocation of protocol and MIPareto)",
                         name, extra * 1e3 / Double(run.allocations), extra * 1e3 / Double(run.requests), population,
                         local.seconds * 1e3 / Double(local.allocations)))
        }
    }
}
