import Basics
/// Dense task outputs (segmentation logits, reconstructions) turned into discrete symbols with
/// k-means, so a continuous–discrete MI estimator can measure a channel against them.
public enum OutputClustering {
    public static let defaultClusters = 16

    /// Each sample's whole output `[K, H', W']` (row-major `[samples × elementsPerSample]`) as one
    /// vector, clustered into `clusters` symbols (the pooled estimator's target for dense tasks).
    public static func wholeOutputs(_ outputs: [Float], samples n: Int, clusters: Int = defaultClusters, seed: UInt64 = 0) throws -> DiscreteLabels {
        guard n >= 1, outputs.count % n == 0, !outputs.isEmpty else {
            throw ImportanceError.shapeMismatch("\(outputs.count) output values for \(n) samples")
        }
        guard clusters >= 1 else { throw ImportanceError.invalidArgument("\(ParameterError.mention("clusters")) must be at least 1 (got \(clusters))") }
        if let i = outputs.firstIndex(where: { !$0.isFinite }) {
            throw ImportanceError.invalidArgument("task output has a non-finite value at sample \(i / (outputs.count / n))")
        }
        let progress = ProgressLine("clustering outputs")
        defer { progress.finish() }
        let km = KMeans(points: outputs.map(Double.init), dimensions: outputs.count / n, clusters: clusters, seed: seed,
                        progress: { progress.update(fraction: $0) })
        return DiscreteLabels(km.assignments)
    }

    /// The output region aligned with each feature patch, clustered per position: returns one
    /// symbol array per patch position of `grid` (the feature map's grid). The output map
    /// `[K, H', W']` must be an integer multiple of the feature map in each direction.
    public static func alignedPatches(
        _ outputs: [Float], samples n: Int, outputChannels k: Int, outputHeight oh: Int, outputWidth ow: Int,
        grid: PatchGrid, clusters: Int = defaultClusters, seed: UInt64 = 0
    ) throws -> [DiscreteLabels] {
        guard outputs.count == n * k * oh * ow else {
            throw ImportanceError.shapeMismatch("\(outputs.count) output values for [\(n), \(k), \(oh), \(ow)]")
        }
        guard oh % grid.mapHeight == 0, ow % grid.mapWidth == 0 else {
            throw ImportanceError.shapeMismatch("output map \(oh)x\(ow) is not a multiple of the feature map \(grid.mapHeight)x\(grid.mapWidth)")
        }
        guard clusters >= 1 else { throw ImportanceError.invalidArgument("\(ParameterError.mention("clusters")) must be at least 1 (got \(clusters))") }
        if let i = outputs.firstIndex(where: { !$0.isFinite }) {
            throw ImportanceError.invalidArgument("task output has a non-finite value at sample \(i / (k * oh * ow))")
        }
        let sh = oh / grid.mapHeight, sw = ow / grid.mapWidth
        let ph = grid.patch.height * sh, pw = grid.patch.width * sw
        let dims = k * ph * pw
        let perSample = k * oh * ow
        let progress = ProgressLine("clustering outputs")
        defer { progress.finish() }
        return ParallelFor.map(grid.positions, initial: DiscreteLabels([Int]())) { p in
            defer { progress.completeOne(of: grid.positions) }
            let r0 = (p / grid.columns) * ph, c0 = (p % grid.columns) * pw
            var points = [Double](repeating: 0, count: n * dims)
            for s in 0..<n {
                var d = 0
                for ch in 0..<k {
                    for r in 0..<ph {
                        for c in 0..<pw {
                            points[s * dims + d] = Double(outputs[s * perSample + (ch * oh + r0 + r) * ow + c0 + c])
                            d += 1
                        }
                    }
                }
            }
            let km = KMeans(points: points, dimensions: dims, clusters: clusters, seed: seed, stream: UInt64(p))
            return DiscreteLabels(km.assignments)
        }
    }
}
