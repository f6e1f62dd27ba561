import Basics
import FeatureData

/// The task-independent baselines, computed on the fit split: `l1`, `l2`, `variance`, `random`,
/// `equal`. (`entropy` lives beside the quantiser it needs.)
enum ChannelStatisticMeasures {
    /// One score per channel of every stream, in global channel order.
    static func scores(_ measure: ImportanceMeasure, bundle: FeatureBundle, seed: UInt64) -> [Double] {
        if measure == .equal || measure == .random {
            return scores(measure, features: Tensor(shape: [0, bundle.channels], values: []), seed: seed)
        }
        return bundle.mapChannelBlocks(of: .fit, progress: "\(measure.rawValue) scores") { _, channels, block in
            scores(measure, features: block, seed: seed, firstChannel: channels.lowerBound)
        }.flatMap { $0 }
    }

    /// One score per channel; `firstChannel` is the global number of channel 0 (`random` draws
    /// channel `c`'s score from stream `firstChannel + c`).
    static func scores(_ measure: ImportanceMeasure, features: Tensor<Float>, seed: UInt64, firstChannel: Int = 0) -> [Double] {
        let n = features.samples, c = features.shape[1]
        let perChannel = features.shape.dropFirst(2).reduce(1, *)
        switch measure {
        case .equal:
            return [Double](repeating: 1, count: c)
        case .random:
            // One stream per channel so the scores do not depend on the channel count's history.
            return (0..<c).map { ch in var r = SeededRandom(seed: seed, stream: UInt64(firstChannel + ch)); return r.nextUnit() }
        case .l1, .l2, .variance:
            var sumAbs = [Double](repeating: 0, count: c)
            var sum = [Double](repeating: 0, count: c)
            var sumSquares = [Double](repeating: 0, count: c)
            features.values.withUnsafeBufferPointer { x in
                for s in 0..<n {
                    for ch in 0..<c {
                        let base = (s * c + ch) * perChannel
                        var a = 0.0, b = 0.0, q = 0.0
                        for k in 0..<perChannel {
                            let v = Double(x[base + k])
                            a += abs(v); b += v; q += v * v
                        }
                        sumAbs[ch] += a; sum[ch] += b; sumSquares[ch] += q
                    }
                }
            }
            let count = Double(n * perChannel)
            return (0..<c).map { ch in
                switch measure {
                case .l1: return sumAbs[ch] / count
                case .l2: return (sumSquares[ch] / count).squareRoot()
                default:
                    let mean = sum[ch] / count
                    return max(0, sumSquares[ch] / count - mean * mean)
                }
            }
        default:
            preconditionFailure("\(measure) is not a channel statistic")
        }
    }
}
