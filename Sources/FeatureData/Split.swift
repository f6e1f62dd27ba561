/// Which samples a computation uses.
///
/// `fit` and `eval` are the bundle's two splits. `search` and `report` divide eval in two
/// (docs/architecture.md): anything that looks at task metrics while it searches uses `search` (even eval
/// indices) and reports on `report` (odd eval indices), so a front is never judged on the
/// samples that shaped it.
public enum Split: String, CaseIterable, Sendable {
    case fit, eval, search, report

    /// The bundle split the samples come from.
    public var source: BundleSplit { self == .fit ? .fit : .eval }

    /// Indices into the source split, for `count` samples in it.
    public func sampleIndices(sourceCount count: Int) -> [Int] {
        switch self {
        case .fit, .eval: return Array(0..<count)
        case .search: return Array(stride(from: 0, to: count, by: 2))
        case .report: return Array(stride(from: 1, to: count, by: 2))
        }
    }
}

/// The two splits stored in a bundle.
public enum BundleSplit: String, CaseIterable, Sendable {
    case fit, eval
}
