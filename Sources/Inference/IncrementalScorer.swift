import Dispatch
import FeatureData
import Foundation

/// Scores many allocations on one split when consecutive ones share most channels' bit depths
/// (the stream an NSGA-II run produces: children differ from a parent in a few channels).
///
/// * Exact repeats cost nothing: finished results are kept by allocation.
/// * The first layer of every shared-conv head is linear in each input channel. The fixed-point
///   pre-activations (`FixedPointFirstConv`) of recently scored allocations are kept in an
///   `AllocationCache` (LRU within a memory budget). A new allocation starts from the cached one
///   that is cheapest to update (fewest changed channels, a channel dropped to 0 bits counting
///   little) and updates only the changed channels: `− T(c, old) + T(c, new)`, each a
///   single-channel conv, 1/C of the first conv. When no cached allocation is cheaper than starting
///   from the bias (every quantised channel computed), it starts from the bias: the "full" path.
/// * The rest of each head (ReLU, dense, upsample + conv, …) and the metrics run as in `Scorer`.
///
/// Results depend only on the allocation, bit for bit, whatever path computed them and whatever
/// the cache held (integer sums are exact; see `FixedPointFirstConv`), and not on the number of
/// workers (chunks of samples are fixed, their statistics summed in chunk order). They equal
/// `Scorer.score(bits:)` up to float rounding of the first layer (the Scorer sums it in float32
/// by sgemm): accuracies identical except at a logit margin of about 1e-6, PSNR within ~1e-6 dB.
///
/// Heads whose first layer is not a shared conv (a dense on vector features, …) run in full on the
/// quantised chunk, as in `Scorer`. Thread-safe: calls are serialised; each call uses every worker.
public final class IncrementalScorer: @unchecked Sendable {
    /// How the allocations so far were scored.
    public struct Statistics: Sendable, Equatable {
        /// Answered from the results already computed.
        public var cacheHits = 0
        /// Updated from a cached pre-activation.
        public var deltas = 0
        /// Computed from the bias (no cached allocation close enough, or the cache empty).
        public var full = 0
        /// Channels updated over all `deltas` (mean changed channels = this / deltas).
        public var changedChannels = 0
        /// Cached pre-activations dropped to stay within the memory budget.
        public var evictions = 0

        public var scored: Int { cacheHits + deltas + full }
        public var meanChangedChannels: Double { deltas > 0 ? Double(changedChannels) / Double(deltas) : 0 }
    }

    public let scorer: Scorer
    public var split: Split { scorer.split }
    public var samples: Int { scorer.samples }
    public var taskNames: [String] { scorer.taskNames }
    public var channels: Int { scorer.channels }
    /// Bytes the cached pre-activations may take.
    public let memoryBudget: Int
    public private(set) var statistics = Statistics()

    /// One per `scorer.groups` entry; empty when incremental scoring is off (no shared conv, or
    /// no fixed-point grid fits), then every allocation goes through `scorer`.
    let layers: [FixedPointFirstConv]
    /// Where each group's pre-activation starts inside a cache entry (in Int32 elements).
    let groupOffsets: [Int]
    let entryElements: Int
    private let cache: AllocationCache
    private var results: [[Int]: Evaluation] = [:]
    private var constantTerms: [ConstantKey: FixedBuffer<Int32>] = [:]
    private var workspaces: [IncrementalWorkspace] = []
    private let lock = NSLock()

    private struct ConstantKey: Hashable { var group: Int, channel: Int, value: UInt32 }

    /// - Parameters:
    ///   - memoryBudget: bytes for cached pre-activations (default 512 MiB). Each entry takes
    ///     `samples · Ho·Wo · outputs · 4` bytes (8 MB for digits-pair's search split); a budget
    ///     below one entry disables the delta path.
    ///   - chunkSize, workers: as `Scorer`'s.
    public init(bundle: FeatureBundle, split: Split, quantiser: Quantiser, memoryBudget: Int = 512 << 20,
                chunkSize: Int = 32, workers: Int? = nil) {
        scorer = Scorer(bundle: bundle, split: split, quantiser: quantiser, chunkSize: chunkSize, workers: workers)
        self.memoryBudget = Swift.max(0, memoryBudget)
        let layers = scorer.groups.map { FixedPointFirstConv(group: $0, stats: quantiser.stats) }
        self.layers = layers.contains { $0 == nil } ? [] : layers.map { $0! }
        var offsets: [Int] = []
        var elements = 0
        for layer in self.layers {
            offsets.append(elements)
            elements += scorer.samples * layer.elementsPerSample
        }
        groupOffsets = offsets
        entryElements = elements
        cache = AllocationCache(entryElements: Swift.max(elements, 1), capacity: elements > 0 ? self.memoryBudget / (4 * elements) : 0)
    }

    /// Whether allocations are updated from cached pre-activations (false: every one is scored
    /// by the plain `Scorer`).
    public var isIncremental: Bool { !layers.isEmpty }

    /// Pre-activations currently cached.
    public var cachedAllocations: Int { lock.withLock { cache.count } }

    /// Scores one allocation (one depth 0…16 per channel; validate user input with
    /// `Quantiser.validate`).
    public func score(bits: [Int]) -> Evaluation {
        lock.withLock { scoreLocked(bits) }
    }

    /// Scores allocations in order (each one may start from any earlier one).
    public func score(batch: [[Int]]) -> [Evaluation] {
        lock.withLock { batch.map { scoreLocked($0) } }
    }

    /// Forgets every cached result and pre-activation (statistics are kept).
    public func clear() {
        lock.withLock {
            results.removeAll()
            cache.removeAll()
        }
    }

    private func scoreLocked(_ bits: [Int]) -> Evaluation {
        precondition(bits.count == scorer.channels, "\(bits.count) depths for \(scorer.channels) channels")
        if let known = results[bits] {
            statistics.cacheHits += 1
            return known
        }
        let evaluation: Evaluation
        if layers.isEmpty {
            evaluation = scorer.score(bits: bits)
            statistics.full += 1
        } else {
            evaluation = scoreIncrementally(bits)
        }
        results[bits] = evaluation
        return evaluation
    }

    /// What updating one channel from depth `old` (nil: absent, the bias-only start) to `new`
    /// costs: a per-sample single-channel conv per quantised side; a constant side (0 bits, or a
    /// channel with hi == lo) is one precomputed map added per sample.
    private func updateCost(channel c: Int, old: Int?, new: Int) -> Int {
        func side(_ depth: Int?) -> Int {
            guard let b = depth else { return 0 }
            return b == 0 || scorer.quantiser.stats.hi[c] == scorer.quantiser.stats.lo[c] ? 1 : 16
        }
        return side(old) + side(new)
    }

    private func scoreIncrementally(_ bits: [Int]) -> Evaluation {
        // The cheapest start: the bias, or a cached allocation.
        var bestCost = 0
        for c in 0..<bits.count { bestCost += updateCost(channel: c, old: nil, new: bits[c]) }
        var base: AllocationCache.Entry?
        for entry in cache.entries {
            var cost = 0
            for c in 0..<bits.count where entry.bits[c] != bits[c] {
                cost += updateCost(channel: c, old: entry.bits[c], new: bits[c])
                if cost >= bestCost { break }
            }
            if cost < bestCost {
                bestCost = cost
                base = entry
            }
        }
        let baseBits: [Int?] = base.map { $0.bits.map { $0 } } ?? [Int?](repeating: nil, count: bits.count)
        let changed = (0..<bits.count).filter { baseBits[$0] != bits[$0] }
        if let base {
            cache.touch(base)
            statistics.deltas += 1
            statistics.changedChannels += changed.count
        } else {
            statistics.full += 1
        }
        let evictionsBefore = cache.evictions
        let destination = cache.makeEntry(bits: bits, keeping: base)
        statistics.evictions += cache.evictions - evictionsBefore
        return run(bits: bits, baseBits: baseBits, base: base, changed: changed, destination: destination)
    }

    private func constantTerm(group: Int, channel: Int, value: Float) -> FixedBuffer<Int32> {
        let key = ConstantKey(group: group, channel: channel, value: value.bitPattern)
        if let term = constantTerms[key] { return term }
        let term = layers[group].constantTerm(channel: channel, value: value)
        constantTerms[key] = term
        return term
    }

    /// Per group, per changed channel: the old and new sides (a constant map's term, or nil for a
    /// quantised side, computed per sample).
    private struct ChannelUpdate: @unchecked Sendable {
        var channel: Int
        var oldQuantised: Bool
        var newQuantised: Bool
        var oldConstant: [FixedBuffer<Int32>?]
        var newConstant: [FixedBuffer<Int32>?]
        var hasOld: Bool
    }

    private func run(bits: [Int], baseBits: [Int?], base: AllocationCache.Entry?, changed: [Int], destination: AllocationCache.Entry?) -> Evaluation {
        let quantiser = scorer.quantiser
        let newPlan = quantiser.plan(bits: bits)
        let oldPlan: QuantisationPlan? = base.map { quantiser.plan(bits: $0.bits) }
        var updates: [ChannelUpdate] = []
        for c in changed {
            let newCode = newPlan.codes[c]
            let newConstant: [FixedBuffer<Int32>?] = newCode.mode == .constant
                ? layers.indices.map { constantTerm(group: $0, channel: c, value: newCode.constant) }
                : layers.map { _ in nil }
            var oldConstant: [FixedBuffer<Int32>?] = layers.map { _ in nil }
            var oldQuantised = false
            if let oldPlan {
                let oldCode = oldPlan.codes[c]
                if oldCode.mode == .constant {
                    oldConstant = layers.indices.map { constantTerm(group: $0, channel: c, value: oldCode.constant) }
                } else {
                    oldQuantised = true
                }
            }
            updates.append(ChannelUpdate(channel: c, oldQuantised: oldQuantised, newQuantised: newCode.mode != .constant,
                                         oldConstant: oldConstant, newConstant: newConstant, hasOld: oldPlan != nil))
        }
        let needsInput = scorer.membership.contains { $0 == nil }
        let updateList = updates

        let samples = scorer.samples, chunkSize = scorer.chunkSize
        let chunks = (samples + chunkSize - 1) / chunkSize
        let workerCount = Swift.min(scorer.workers, chunks)
        while workspaces.count < workerCount { workspaces.append(IncrementalWorkspace(self)) }
        let stride = scorer.statisticsStride
        let statistics = FixedBuffer<Double>(count: chunks * stride, repeating: 0)
        let work: @Sendable (Int) -> Void = { [self] worker in
            let workspace = workspaces[worker]
            var chunk = worker
            while chunk < chunks {
                let first = chunk * chunkSize
                let n = Swift.min(chunkSize, samples - first)
                scoreChunk(first: first, samples: n, newPlan: newPlan, oldPlan: oldPlan, updates: updateList, base: base,
                            destination: destination, needsInput: needsInput, workspace: workspace,
                            statistics: statistics.pointer + chunk * stride)
                chunk += workerCount
            }
        }
        if workerCount == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workerCount, execute: work)
        }
        return scorer.evaluation(summing: statistics, chunks: chunks)
    }

    private func scoreChunk(first: Int, samples n: Int, newPlan: QuantisationPlan, oldPlan: QuantisationPlan?, updates: [ChannelUpdate],
                            base: AllocationCache.Entry?, destination: AllocationCache.Entry?, needsInput: Bool,
                            workspace: IncrementalWorkspace, statistics: UnsafeMutablePointer<Double>) {
        let c = scorer.channels, hw = scorer.pixelsPerChannel
        // The chunk's pre-activation per group: in the new cache entry, or in the workspace.
        let preActivations: [UnsafeMutablePointer<Int32>] = layers.indices.map { g in
            let offset = first * layers[g].elementsPerSample
            return destination.map { $0.storage.pointer + groupOffsets[g] + offset } ?? workspace.preActivations[g]
        }
        for (g, layer) in layers.enumerated() {
            if let base {
                preActivations[g].update(from: base.storage.pointer + groupOffsets[g] + first * layer.elementsPerSample, count: n * layer.elementsPerSample)
            } else {
                layer.fillBias(samples: n, into: preActivations[g])
            }
        }
        for update in updates {
            let channel = update.channel
            // x̂ of this channel for the chunk, old and new, computed once for every group.
            func quantise(_ plan: QuantisationPlan) {
                for s in 0..<n {
                    plan.reconstruct(channel: channel, source: scorer.features.pointer + ((first + s) * c + channel) * hw, count: hw,
                                     destination: workspace.channelValues + s * hw, destinationStride: 1)
                }
            }
            if update.oldQuantised, let oldPlan {
                quantise(oldPlan)
                for (g, layer) in layers.enumerated() {
                    layer.accumulate(channel: channel, x: workspace.channelValues, samples: n, sign: -1, into: preActivations[g])
                }
            } else if update.hasOld {
                for (g, layer) in layers.enumerated() {
                    layer.accumulate(constant: update.oldConstant[g]!, samples: n, sign: -1, into: preActivations[g])
                }
            }
            if update.newQuantised {
                quantise(newPlan)
                for (g, layer) in layers.enumerated() {
                    layer.accumulate(channel: channel, x: workspace.channelValues, samples: n, sign: 1, into: preActivations[g])
                }
            } else {
                for (g, layer) in layers.enumerated() {
                    layer.accumulate(constant: update.newConstant[g]!, samples: n, sign: 1, into: preActivations[g])
                }
            }
        }
        if needsInput {
            scorer.quantiseChunk(first: first, samples: n, plan: newPlan, into: workspace.heads.input)
        }
        let scratch = workspace.heads.scratch
        for (t, program) in scorer.programs.enumerated() {
            let output: UnsafeMutablePointer<Float>
            if let place = scorer.membership[t] {
                let reluNext = program.layers.count > 1 && { if case .relu = program.layers[1] { return true } else { return false } }()
                layers[place.group].extract(member: place.member, from: preActivations[place.group], samples: n, relu: reluNext, into: scratch.first)
                output = program.run(from: reluNext ? 2 : 1, input: scratch.first, samples: n, scratch: scratch, ownsInput: true)
            } else {
                output = program.run(from: 0, input: workspace.heads.input, samples: n, scratch: scratch, ownsInput: false)
            }
            scorer.metrics[t].accumulate(output: output, first: first, samples: n, into: statistics + scorer.statisticsOffsets[t])
        }
    }
}

/// One worker's buffers for `IncrementalScorer`: the Scorer's head buffers, one channel's x̂ for a
/// chunk, and pre-activation rows for when the result is not cached.
final class IncrementalWorkspace: @unchecked Sendable {
    let heads: Workspace
    let channelValues: UnsafeMutablePointer<Float>
    let preActivations: [UnsafeMutablePointer<Int32>]

    init(_ owner: IncrementalScorer) {
        let n = owner.scorer.chunkSize
        heads = Workspace(scorer: owner.scorer)
        channelValues = .allocate(capacity: n * owner.scorer.pixelsPerChannel)
        channelValues.initialize(repeating: 0, count: n * owner.scorer.pixelsPerChannel)
        preActivations = owner.layers.map { layer in
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: n * layer.elementsPerSample)
            p.initialize(repeating: 0, count: n * layer.elementsPerSample)
            return p
        }
    }

    deinit {
        channelValues.deallocate()
        for p in preActivations { p.deallocate() }
    }
}
