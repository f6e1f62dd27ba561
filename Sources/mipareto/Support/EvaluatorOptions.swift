import ArgumentParser
import Dispatch
import Experiments
import FeatureData
import Foundation
import Inference

/// `--evaluator 'CMD ARGS…'` and its settings: task metrics from the user's own network
/// (docs/evaluator.md) instead of the bundle's heads.
struct EvaluatorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Score with your own network: a program speaking mipareto-evaluator/1 on stdin/stdout (docs/evaluator.md), split with shell quoting and run without a shell, e.g. 'python3 my_eval.py --device cuda'.", valueName: "'CMD ARGS…'"))
    var evaluator: String?

    @Option(name: .customLong("evaluator-timeout"), help: ArgumentHelp("Seconds the evaluator may take to start and to answer each batch (default: no limit).", valueName: "S"))
    var evaluatorTimeout: Double?

    @Option(name: .customLong("evaluator-inflight"), help: ArgumentHelp("Batches sent to the evaluator before waiting for a reply, where they are independent (a pool of workers behind it stays busy).", valueName: "K"))
    var evaluatorInflight: Int = 1

    @Option(name: .customLong("evaluator-batch"), help: ArgumentHelp("Allocations per request outside NSGA-II (which sends each generation as one request).", valueName: "N"))
    var evaluatorBatch: Int = 64

    func validate() throws {
        if let t = evaluatorTimeout, !(t > 0 && t.isFinite) { throw ValidationError("--evaluator-timeout \(t): must be a positive number of seconds") }
        guard evaluatorInflight >= 1 else { throw ValidationError("--evaluator-inflight \(evaluatorInflight): must be at least 1") }
        guard evaluatorBatch >= 1 else { throw ValidationError("--evaluator-batch \(evaluatorBatch): must be at least 1") }
        if evaluator == nil, evaluatorTimeout != nil || evaluatorInflight != 1 || evaluatorBatch != 64 {
            throw ValidationError("--evaluator-timeout, --evaluator-inflight and --evaluator-batch need --evaluator 'CMD ARGS…'")
        }
    }

    /// The evaluator started for `bundle` (nil without `--evaluator`), with SIGINT and SIGTERM
    /// set to stop it in order.
    func session(bundle: FeatureBundle, quantiser: Quantiser, maxBits: Int = Quantiser.maximumBits) throws -> EvaluatorSession? {
        guard let evaluator else { return nil }
        InterruptHandling.install()
        return try EvaluatorSession(command: evaluator, bundle: bundle, quantiser: quantiser, maxBits: maxBits, timeout: evaluatorTimeout)
    }

    /// Where metrics come from: the evaluator when given, else the bundle's heads.
    func source(_ session: EvaluatorSession?) -> MetricSource {
        session.map { .evaluator($0, batchSize: evaluatorBatch, inflight: evaluatorInflight) } ?? .heads
    }
}

/// On SIGINT or SIGTERM while an evaluator runs: stop it (stop, EOF, SIGTERM, SIGKILL) and exit;
/// checkpoints are written atomically, so what was saved is kept.
enum InterruptHandling {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let lock = NSLock()

    static func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                CommandLineTool.printError("interrupted (\(number == SIGINT ? "SIGINT" : "SIGTERM")): stopping the evaluator; a checkpoint keeps what was saved")
                EvaluatorSession.stopAll()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
