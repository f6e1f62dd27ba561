import BenchmarkProblems
import Foundation
import FuzzSupport
import MultiObjective

// An NSGA-II / NSGA-III state file (`nsga2 --resume FILE`), the way the command reads it: decoded
// and checked against itself, the test problem rebuilt from its `problem` and `problemParameters`
// (`n=30 M=2`), checked against that problem, and — once accepted — run for one more generation:
// a checkpoint the checks accept must never crash the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNSGACheckpoint(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = Fuzz.data(start, count)
    guard let saved = try? AlgorithmCheckpoint.decode(data, path: "state.json") else { return 0 }
    let (n, m) = sizes(in: saved.problemParameters)
    guard let problem = try? TestProblems.make(saved.problem, variables: n, objectives: m),
          let algorithm = try? GeneticAlgorithm(resuming: saved, problem: problem) else { return 0 }
    let generation = algorithm.generation
    algorithm.step()
    Fuzz.require(algorithm.generation == generation + 1, "ran to generation \(algorithm.generation), not \(generation + 1)")
    _ = algorithm.front
    return 0
}

/// `n` and `M` from a checkpoint's parameter text, as `mipareto nsga2 --resume` reads them.
func sizes(in parameters: String) -> (Int?, Int?) {
    var n: Int?, m: Int?
    for part in parameters.split(separator: " ") {
        if part.hasPrefix("n=") { n = Int(part.dropFirst(2)) }
        if part.hasPrefix("M=") { m = Int(part.dropFirst(2)) }
    }
    return (n, m)
}
