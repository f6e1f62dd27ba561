import Foundation

/// An iterative multi-objective optimiser (pymoo's `Algorithm`): set up by its initialiser (the
/// initial population evaluated), advanced one generation at a time by `step`, stopped by a
/// `TerminationCriterion`. `GeneticAlgorithm` (NSGA-II, NSGA-III) is the implementation here;
/// another algorithm conforms and reuses the problems, terminations and indicators.
public protocol Algorithm: AnyObject {
    var problem: any Problem { get }
    /// Generations done (the initial population is generation 1) and evaluations spent.
    var generation: Int { get }
    var evaluations: Int { get }
    /// One generation.
    func step()
    /// The current answer: non-dominated feasible objective vectors, duplicates once, sorted.
    var front: [[Double]] { get }
}

extension Algorithm {
    /// Runs generations until `termination` is reached; `onGeneration` sees the progress after
    /// every generation and may throw to stop.
    public func run(until termination: some TerminationCriterion,
                    onGeneration: ((AlgorithmProgress) throws -> Void)? = nil) rethrows {
        var termination = termination
        let start = DispatchTime.now().uptimeNanoseconds
        func progress() -> AlgorithmProgress {
            AlgorithmProgress(generation: generation, evaluations: evaluations,
                              elapsedSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        while !termination.isReached(progress()) {
            step()
            try onGeneration?(progress())
        }
    }
}
