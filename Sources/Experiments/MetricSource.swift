import FeatureData
import Inference

/// Where an experiment's task metrics come from: the bundle's own heads, run here.
///
/// Every experiment asks its source for one scorer per split, so the same run works whatever
/// scores it.
public enum MetricSource {
    /// The bundle's heads (`Scorer`; `IncrementalScorer` where a search scores many close
    /// allocations in batches).
    case heads

    /// A scorer of `split`. `search` asks for the scorer NSGA-II's generations go to.
    public func scoring(bundle: FeatureBundle, split: Split, quantiser: Quantiser, forSearch search: Bool = false) throws -> any AllocationScoring {
        switch self {
        case .heads:
            return search ? IncrementalScorer(bundle: bundle, split: split, quantiser: quantiser)
                          : Scorer(bundle: bundle, split: split, quantiser: quantiser)
        }
    }
}
