import CBLAS
import Dispatch
import FeatureData

/// Scores allocations on one split: quantise the split's features with a bit vector, run every
/// task head, compute every task's metric.
///
/// The split goes through the heads in chunks of samples small enough that the im2col buffers
/// stay in cache; heads whose first conv has the same geometry share one im2col and one fused
/// sgemm (`SharedFirstConv`); buffers are allocated once per worker and reused. Chunks are spread
/// over `workers` threads (BLAS then runs single-threaded inside each). Results do not depend on
/// the number of workers: each chunk's statistics are summed in chunk order.
///
/// A `Scorer` is not reentrant: call `score` from one thread at a time.
public final class Scorer: @unchecked Sendable {
    public let split: Split
    public let samples: Int
    public let quantiser: Quantiser
    public let chunkSize: Int
    public let workers: Int
    public let taskNames: [String]

    let channels: Int
    let pixelsPerChannel: Int
    let features: FixedBuffer<Float>
    let programs: [HeadProgram]
    let metrics: [TaskMetric]
    let groups: [SharedFirstConv]
    /// For each task: its group and position in it, or nil when its first layer is not shared.
    let membership: [(group: Int, member: Int)?]
    let statisticsOffsets: [Int]
    let statisticsStride: Int
    private var workspaces: [Workspace] = []

    /// - Parameters:
    ///   - quantiser: the fit-split quantiser, `Quantiser(fitOf: bundle)`.
    ///   - chunkSize: samples per pass through the heads.
    ///   - workers: threads over chunks (default: every active core).
    public init(bundle: FeatureBundle, split: Split, quantiser: Quantiser, chunkSize: Int = 32, workers: Int? = nil) {
        self.split = split
        self.quantiser = quantiser
        self.chunkSize = Swift.max(1, chunkSize)
        self.workers = Swift.max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        // The Scorer spreads chunks over threads itself. Each sgemm is small (a chunk), so BLAS
        // threads would only contend with ours, and a thread count that changes between calls
        // could change float32 sums: OpenBLAS runs single-threaded from here on.
        openblas_set_num_threads(1)
        precondition(!bundle.isMultiStream, "a Scorer runs the heads of one stream; StreamScoring splits a bundle of several")
        precondition(bundle.tasks.allSatisfy(\.hasHead), "a Scorer runs heads: every task needs one (MetricSource.requireHeads says which does not)")
        let source = bundle.features[split.source]!
        let indices = split.sampleIndices(sourceCount: source.samples)
        let splitFeatures = bundle.features(for: split)
        samples = splitFeatures.samples
        channels = bundle.channels
        pixelsPerChannel = bundle.elementsPerChannel
        features = FixedBuffer(copying: splitFeatures.values)
        taskNames = bundle.tasks.map(\.name)
        let programs = bundle.tasks.map { HeadProgram($0.head!) }
        self.programs = programs
        metrics = zip(bundle.tasks, programs).map { TaskMetric(task: $0, program: $1, split: split, indices: indices) }

        // Group heads by first-conv geometry.
        var groupMembers: [(geometry: ConvGeometry, members: [(task: Int, weight: FixedBuffer<Float>, bias: FixedBuffer<Float>, outputs: Int)])] = []
        var membership: [(group: Int, member: Int)?] = []
        for (task, program) in programs.enumerated() {
            guard case let .conv(g, weight, bias)? = program.layers.first else { membership.append(nil); continue }
            if let index = groupMembers.firstIndex(where: { $0.geometry.sharesPatches(with: g) }) {
                membership.append((index, groupMembers[index].members.count))
                groupMembers[index].members.append((task, weight, bias, g.outputChannels))
            } else {
                membership.append((groupMembers.count, 0))
                groupMembers.append((g, [(task, weight, bias, g.outputChannels)]))
            }
        }
        groups = groupMembers.map { entry in
            var g = entry.geometry
            g.outputChannels = entry.members.reduce(0) { $0 + $1.outputs }
            return SharedFirstConv(geometry: g, members: entry.members)
        }
        self.membership = membership
        var offsets: [Int] = []
        var stride = 0
        for m in metrics { offsets.append(stride); stride += m.statisticsCount }
        statisticsOffsets = offsets
        statisticsStride = stride
    }

    /// Scores `bits` (one depth 0…16 per channel; validate user input with `Quantiser.validate`).
    public func score(bits: [Int]) -> Evaluation { score(depths: bits.map { $0 }) }

    /// Scores the unquantised features.
    public func scoreClean() -> Evaluation { score(depths: [Int?](repeating: nil, count: channels)) }

    /// Scores per-channel depths; `nil` keeps a channel at full float32 precision.
    public func score(depths: [Int?]) -> Evaluation {
        let plan = quantiser.plan(depths: depths)
        let inputPlans = firstConvPlans(plan)
        let chunks = (samples + chunkSize - 1) / chunkSize
        let workerCount = Swift.min(workers, chunks)
        prepareWorkspaces(workerCount)
        let statistics = FixedBuffer<Double>(count: chunks * statisticsStride, repeating: 0)
        let run: @Sendable (Int) -> Void = { [self] worker in
            let workspace = workspaces[worker]
            var chunk = worker
            while chunk < chunks {
                let first = chunk * chunkSize
                let n = Swift.min(chunkSize, samples - first)
                scoreChunk(first: first, samples: n, plan: plan, inputPlans: inputPlans, workspace: workspace, statistics: statistics.pointer + chunk * statisticsStride)
                chunk += workerCount
            }
        }
        if workerCount == 1 {
            run(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workerCount, execute: run)
        }
        return evaluation(summing: statistics, chunks: chunks)
    }

    /// Every task's metric from per-chunk statistics (`chunks` rows of `statisticsStride`),
    /// summed in chunk order so the result does not depend on which worker ran which chunk.
    func evaluation(summing statistics: FixedBuffer<Double>, offset: Int = 0, chunks: Int) -> Evaluation {
        var scores: [TaskScore] = []
        for (t, metric) in metrics.enumerated() {
            var total = [Double](repeating: 0, count: metric.statisticsCount)
            for chunk in 0..<chunks {
                let base = statistics.pointer + offset + chunk * statisticsStride + statisticsOffsets[t]
                for k in 0..<total.count { total[k] += base[k] }
            }
            scores.append(metric.score(total, samples: samples))
        }
        return Evaluation(split: split, samples: samples, tasks: scores)
    }

    private func prepareWorkspaces(_ count: Int) {
        while workspaces.count < count {
            workspaces.append(Workspace(scorer: self))
        }
    }

    /// Quantises samples `first ..< first + n` into the workspace as NHWC float32.
    func quantiseChunk(first: Int, samples n: Int, plan: QuantisationPlan, into output: UnsafeMutablePointer<Float>) {
        let c = channels, hw = pixelsPerChannel
        for s in 0..<n {
            let source = features.pointer + (first + s) * c * hw
            let destination = output + s * c * hw
            for channel in 0..<c {
                plan.reconstruct(channel: channel, source: source + channel * hw, count: hw, destination: destination + channel, destinationStride: c)
            }
        }
    }

    /// Every head's raw output for `depths`, per task as C-order `[N, …output shape]` (for tests
    /// and debugging; single-threaded, not a hot path).
    func headOutputs(depths: [Int?]) -> [[Float]] {
        let plan = quantiser.plan(depths: depths)
        let inputPlans = firstConvPlans(plan)
        prepareWorkspaces(1)
        var outputs = [[Float]](repeating: [], count: programs.count)
        let statistics = FixedBuffer<Double>(count: statisticsStride, repeating: 0)
        var first = 0
        while first < samples {
            let n = Swift.min(chunkSize, samples - first)
            scoreChunk(first: first, samples: n, plan: plan, inputPlans: inputPlans, workspace: workspaces[0], statistics: statistics.pointer) { task, output in
                let program = self.programs[task]
                let size = program.sampleSizes.last!
                for s in 0..<n {
                    let sample = output + s * size
                    if program.outputIsSpatial {
                        // NHWC → C-order [K, H', W'].
                        let k = program.outputShape[0], pixels = program.outputShape[1] * program.outputShape[2]
                        for c in 0..<k { for p in 0..<pixels { outputs[task].append(sample[p * k + c]) } }
                    } else {
                        outputs[task].append(contentsOf: UnsafeBufferPointer(start: sample, count: size))
                    }
                }
            }
            first += n
        }
        return outputs
    }

    /// Per shared first conv: which channels are constant maps under `plan` (folded into a bias).
    func firstConvPlans(_ plan: QuantisationPlan) -> [SharedFirstConv.InputPlan] {
        let constants: [Float?] = plan.codes.map { $0.mode == .constant ? $0.constant : nil }
        return groups.map { SharedFirstConv.InputPlan($0, constants: constants) }
    }

    private func scoreChunk(first: Int, samples n: Int, plan: QuantisationPlan, inputPlans: [SharedFirstConv.InputPlan], workspace: Workspace, statistics: UnsafeMutablePointer<Double>,
                            capture: ((Int, UnsafeMutablePointer<Float>) -> Void)? = nil) {
        quantiseChunk(first: first, samples: n, plan: plan, into: workspace.input)
        for (g, group) in groups.enumerated() {
            group.preActivation(input: workspace.input, samples: n, plan: inputPlans[g], compact: workspace.compact, patches: workspace.scratch.patches, into: workspace.fused[g])
        }
        for (t, program) in programs.enumerated() {
            let output: UnsafeMutablePointer<Float>
            if let place = membership[t] {
                let group = groups[place.group]
                let reluNext = program.layers.count > 1 && { if case .relu = program.layers[1] { return true } else { return false } }()
                group.extract(member: place.member, from: workspace.fused[place.group], samples: n, relu: reluNext, into: workspace.scratch.first)
                output = program.run(from: reluNext ? 2 : 1, input: workspace.scratch.first, samples: n, scratch: workspace.scratch, ownsInput: true)
            } else {
                output = program.run(from: 0, input: workspace.input, samples: n, scratch: workspace.scratch, ownsInput: false)
            }
            metrics[t].accumulate(output: output, first: first, samples: n, into: statistics + statisticsOffsets[t])
            capture?(t, output)
        }
    }
}

/// One worker's buffers, sized for a chunk.
final class Workspace: @unchecked Sendable {
    let input: UnsafeMutablePointer<Float>
    /// The live (non-constant) channels of `input`, compacted for the shared first conv.
    let compact: UnsafeMutablePointer<Float>
    let fused: [UnsafeMutablePointer<Float>]
    let scratch: HeadScratch

    init(scorer: Scorer) {
        let n = scorer.chunkSize
        let inputSize = n * scorer.channels * scorer.pixelsPerChannel
        input = .allocate(capacity: inputSize)
        input.initialize(repeating: 0, count: inputSize)
        compact = .allocate(capacity: inputSize)
        compact.initialize(repeating: 0, count: inputSize)
        fused = scorer.groups.map { group in
            let size = n * group.pixels * group.totalChannels
            let p = UnsafeMutablePointer<Float>.allocate(capacity: size)
            p.initialize(repeating: 0, count: size)
            return p
        }
        var activations = 0, patches = 0
        for program in scorer.programs {
            activations = Swift.max(activations, program.largestActivation)
            patches = Swift.max(patches, program.largestPatches)
        }
        scratch = HeadScratch(activations: n * activations, patches: n * patches)
    }

    deinit {
        input.deallocate()
        compact.deallocate()
        for p in fused { p.deallocate() }
    }
}

import Foundation
