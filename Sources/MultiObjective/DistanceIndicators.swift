import Foundation

/// Distance-based quality indicators against a reference front (usually a sample of the true
/// front), with Euclidean distance on raw objective values, as pymoo's `IGD` and `GD`.
public enum DistanceIndicators {
    /// Inverted generational distance: mean over reference points of the distance to the nearest
    /// point of `front`. Rewards both convergence and spread.
    public static func invertedGenerationalDistance(_ front: [[Double]], reference: [[Double]]) -> Double {
        meanNearestDistance(from: reference, to: front)
    }

    /// Generational distance: mean over `front` of the distance to the nearest reference point.
    /// Rewards convergence only.
    public static func generationalDistance(_ front: [[Double]], reference: [[Double]]) -> Double {
        meanNearestDistance(from: front, to: reference)
    }

    static func meanNearestDistance(from sources: [[Double]], to targets: [[Double]]) -> Double {
        guard !sources.isEmpty else { return 0 }
        guard !targets.isEmpty else { return .infinity }
        var sum = 0.0
        for s in sources {
            var best = Double.infinity
            for t in targets {
                var d = 0.0
                for j in 0..<s.count { let e = s[j] - t[j]; d += e * e }
                if d < best { best = d }
            }
            sum += best.squareRoot()
        }
        return sum / Double(sources.count)
    }
}
