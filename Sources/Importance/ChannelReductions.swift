import FeatureData

extension ChannelReduction {
    /// Each channel of `features` (`[N, C, …]`) reduced to one number per sample: row-major
    /// `[N × C]` in float64, the layout `PooledMI` and `BinnedMI` take.
    func reduce(_ features: Tensor<Float>) -> [Double] {
        let n = features.samples, c = features.shape[1]
        let perChannel = features.shape.dropFirst(2).reduce(1, *)
        var out = [Double](repeating: 0, count: n * c)
        features.values.withUnsafeBufferPointer { x in
            for i in 0..<(n * c) {
                let base = i * perChannel
                switch self {
                case .mean:
                    var s = 0.0
                    for k in 0..<perChannel { s += Double(x[base + k]) }
                    out[i] = s / Double(perChannel)
                case .max:
                    var m = -Double.infinity
                    for k in 0..<perChannel { m = Swift.max(m, Double(x[base + k])) }
                    out[i] = m
                case .rms:
                    var s = 0.0
                    for k in 0..<perChannel { let v = Double(x[base + k]); s += v * v }
                    out[i] = (s / Double(perChannel)).squareRoot()
                }
            }
        }
        return out
    }
}
