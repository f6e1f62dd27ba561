import FeatureData

extension ChannelReduction {
    /// Each channel of `features` (`[N, C, …]`) reduced to one number per sample, in float64:
    /// one column of N values per channel, the layout every estimator works on.
    func reduceColumns(_ features: Tensor<Float>) -> [[Double]] {
        let n = features.samples, c = features.shape[1]
        let perChannel = features.shape.dropFirst(2).reduce(1, *)
        return features.values.withUnsafeBufferPointer { x in
            (0..<c).map { ch in
                [Double](unsafeUninitializedCapacity: n) { column, initialised in
                    initialised = n
                    for s in 0..<n {
                        let base = (s * c + ch) * perChannel
                        switch self {
                        case .mean:
                            var t = 0.0
                            for k in 0..<perChannel { t += Double(x[base + k]) }
                            column[s] = t / Double(perChannel)
                        case .max:
                            var m = -Double.infinity
                            for k in 0..<perChannel { m = Swift.max(m, Double(x[base + k])) }
                            column[s] = m
                        case .rms:
                            var t = 0.0
                            for k in 0..<perChannel { let v = Double(x[base + k]); t += v * v }
                            column[s] = (t / Double(perChannel)).squareRoot()
                        }
                    }
                }
            }
        }
    }
}
