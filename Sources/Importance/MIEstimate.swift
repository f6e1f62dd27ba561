/// One mutual-information estimate in nats.
///
/// k-NN estimators are unbiased only on average: with little or no dependence they return small
/// negative numbers. `raw` keeps the estimator's value (useful to study bias and to average over
/// patch positions without a floor effect); `nats` is what is reported, clipped at 0 as
/// scikit-learn does (true MI is never negative).
public struct MIEstimate: Sendable, Equatable, CustomStringConvertible {
    public var raw: Double

    public init(raw: Double) { self.raw = raw }

    public var nats: Double { max(0, raw) }

    public var description: String { "\(nats) nats (raw \(raw))" }
}
