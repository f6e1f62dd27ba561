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
        /// Channels whose terms were updated over all `deltas` (mean changed channels = this / deltas).
        public var changedChannels = 0
        /// Of the deltas, those started from two cached allocations minus a third (NSGA-II siblings).
        public var combined = 0
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
    private var uniformPlans: [Int: QuantisationPlan] = [:]
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

    /// The cost of one term `T(c, depth)`: a per-sample single-channel conv when the channel is
    /// quantised at that depth; one precomputed map added per sample when it is constant (0 bits,
    /// or a channel with hi == lo).
    private func termCost(channel c: Int, depth b: Int) -> Int {
        b == 0 || scorer.quantiser.stats.hi[c] == scorer.quantiser.stats.lo[c] ? 1 : 16
    }

    /// Reading one more cached pre-activation costs about as much as computing a term.
    private let extraBaseCost = 16

    /// One signed term of the update: `sign · T(channel, depth)`.
    struct Term: Sendable {
        var channel: Int
        var depth: Int
        var sign: Int32
    }

    /// Picks the cheapest start for `bits` and the terms that correct it:
    /// * the bias (every channel's term added: the "full" path);
    /// * one cached allocation `E` (for each changed channel, `− T(c, E_c) + T(c, a_c)`);
    /// * `E1 + E2 − E3` with `E3` the allocation scored just before: NSGA-II makes children in
    ///   pairs whose depths, before mutation, are the parents' depths swapped channel by channel,
    ///   so `S(child 2) = S(parent 1) + S(parent 2) − S(child 1)` up to the mutated channels.
    private func plan(for bits: [Int]) -> (bases: [(AllocationCache.Entry, Int32)], terms: [Term], changed: Int) {
        let n = bits.count
        var bestCost = 0
        for c in 0..<n { bestCost += termCost(channel: c, depth: bits[c]) }
        var best: [(AllocationCache.Entry, Int32)] = []
        let entries = cache.entries
        for entry in entries {
            var cost = 0
            for c in 0..<n where entry.bits[c] != bits[c] {
                cost += termCost(channel: c, depth: entry.bits[c]) + termCost(channel: c, depth: bits[c])
                if cost >= bestCost { break }
            }
            if cost < bestCost {
                bestCost = cost
                best = [(entry, 1)]
            }
        }
        if let last = cache.newest, entries.count >= 3, bestCost > 2 * extraBaseCost {
            let e3 = last.bits
            for (i, first) in entries.enumerated() where first !== last {
                let e1 = first.bits
                for second in entries[i...] where second !== last {
                    let e2 = second.bits
                    var cost = 2 * extraBaseCost
                    for c in 0..<n {
                        cost += pairCost(c, add: bits[c], e3[c], remove: e1[c], e2[c])
                        if cost >= bestCost { break }
                    }
                    if cost < bestCost {
                        bestCost = cost
                        best = [(first, 1), (second, 1), (last, -1)]
                    }
                }
            }
        }
        // The terms: what the bases contribute per channel, minus what `bits` needs.
        var terms: [Term] = []
        var changed = 0
        for c in 0..<n {
            var plus: [Int] = [bits[c]]      // needed
            var minus: [Int] = []            // supplied by the bases
            for (entry, sign) in best {
                if sign > 0 { minus.append(entry.bits[c]) } else { plus.append(entry.bits[c]) }
            }
            // Cancel equal depths between the two sides.
            var k = 0
            while k < plus.count {
                if let j = minus.firstIndex(of: plus[k]) {
                    minus.remove(at: j)
                    plus.remove(at: k)
                } else {
                    k += 1
                }
            }
            if !plus.isEmpty || !minus.isEmpty { changed += 1 }
            for d in plus { terms.append(Term(channel: c, depth: d, sign: 1)) }
            for d in minus { terms.append(Term(channel: c, depth: d, sign: -1)) }
        }
        return (best, terms, changed)
    }

    /// Cost of channel `c` for the start `E1 + E2 − E3`: terms `+a +e3 − e1 − e2` after
    /// cancelling equal depths.
    @inline(__always)
    private func pairCost(_ c: Int, add a: Int, _ e3: Int, remove e1: Int, _ e2: Int) -> Int {
        if a == e1 { return e3 == e2 ? 0 : termCost(channel: c, depth: e3) + termCost(channel: c, depth: e2) }
        if a == e2 { return e3 == e1 ? 0 : termCost(channel: c, depth: e3) + termCost(channel: c, depth: e1) }
        if e3 == e1 { return termCost(channel: c, depth: a) + termCost(channel: c, depth: e2) }
        if e3 == e2 { return termCost(channel: c, depth: a) + termCost(channel: c, depth: e1) }
        if a == e3 { return termCost(channel: c, depth: e1) + termCost(channel: c, depth: e2) + 2 * termCost(channel: c, depth: a) }
        return termCost(channel: c, depth: a) + termCost(channel: c, depth: e3) + termCost(channel: c, depth: e1) + termCost(channel: c, depth: e2)
    }

    private func scoreIncrementally(_ bits: [Int]) -> Evaluation {
        let (bases, terms, changed) = plan(for: bits)
        if bases.isEmpty {
            statistics.full += 1
        } else {
            for (entry, _) in bases { cache.touch(entry) }
            statistics.deltas += 1
            statistics.changedChannels += changed
            if bases.count > 1 { statistics.combined += 1 }
        }
        let evictionsBefore = cache.evictions
        let destination = cache.makeEntry(bits: bits, keeping: bases.map(\.0))
        statistics.evictions += cache.evictions - evictionsBefore
        return run(bits: bits, bases: bases, terms: terms, destination: destination)
    }

    private func constantTerm(group: Int, channel: Int, value: Float) -> FixedBuffer<Int32> {
        let key = ConstantKey(group: group, channel: channel, value: value.bitPattern)
        if let term = constantTerms[key] { return term }
        let term = layers[group].constantTerm(channel: channel, value: value)
        constantTerms[key] = term
        return term
    }

    /// The plan quantising every channel at `depth` (x̂ of channel c at that depth is its row).
    private func uniformPlan(_ depth: Int) -> QuantisationPlan {
        if let plan = uniformPlans[depth] { return plan }
        let plan = scorer.quantiser.plan(bits: [Int](repeating: depth, count: scorer.channels))
        uniformPlans[depth] = plan
        return plan
    }

    /// A term ready for the workers: a constant map per group, or the plan to quantise with.
    private struct PreparedTerm: @unchecked Sendable {
        var channel: Int
        var sign: Int32
        var plan: QuantisationPlan
        var constants: [FixedBuffer<Int32>]?
    }

    private func run(bits: [Int], bases: [(AllocationCache.Entry, Int32)], terms: [Term], destination: AllocationCache.Entry?) -> Evaluation {
        let newPlan = scorer.quantiser.plan(bits: bits)
        let prepared: [PreparedTerm] = terms.map { term in
            let plan = uniformPlan(term.depth)
            let code = plan.codes[term.channel]
            let constants = code.mode == .constant ? layers.indices.map { constantTerm(group: $0, channel: term.channel, value: code.constant) } : nil
            return PreparedTerm(channel: term.channel, sign: term.sign, plan: plan, constants: constants)
        }
        let baseList = bases.map { BaseReference(entry: $0.0, sign: $0.1) }
        let needsInput = scorer.membership.contains { $0 == nil }

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
                scoreChunk(first: first, samples: n, newPlan: newPlan, terms: prepared, bases: baseList,
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

    private struct BaseReference: @unchecked Sendable {
        var entry: AllocationCache.Entry
        var sign: Int32
    }

    private func scoreChunk(first: Int, samples n: Int, newPlan: QuantisationPlan, terms: [PreparedTerm], bases: [BaseReference],
                            destination: AllocationCache.Entry?, needsInput: Bool,
                            workspace: IncrementalWorkspace, statistics: UnsafeMutablePointer<Double>) {
        let c = scorer.channels, hw = scorer.pixelsPerChannel
        // The chunk's pre-activation per group: in the new cache entry, or in the workspace.
        let preActivations: [UnsafeMutablePointer<Int32>] = layers.indices.map { g in
            let offset = first * layers[g].elementsPerSample
            return destination.map { $0.storage.pointer + groupOffsets[g] + offset } ?? workspace.preActivations[g]
        }
        for (g, layer) in layers.enumerated() {
            let count = n * layer.elementsPerSample
            let offset = groupOffsets[g] + first * layer.elementsPerSample
            let out = preActivations[g]
            if bases.isEmpty {
                layer.fillBias(samples: n, into: out)
            } else {
                out.update(from: bases[0].entry.storage.pointer + offset, count: count)
                for base in bases.dropFirst() {
                    let src = base.entry.storage.pointer + offset
                    if base.sign > 0 {
                        for e in 0..<count { out[e] = out[e] &+ src[e] }
                    } else {
                        for e in 0..<count { out[e] = out[e] &- src[e] }
                    }
                }
            }
        }
        for term in terms {
            if let constants = term.constants {
                for (g, layer) in layers.enumerated() {
                    layer.accumulate(constant: constants[g], samples: n, sign: term.sign, into: preActivations[g])
                }
                continue
            }
            let channel = term.channel
            for s in 0..<n {
                term.plan.reconstruct(channel: channel, source: scorer.features.pointer + ((first + s) * c + channel) * hw, count: hw,
                                      destination: workspace.channelValues + s * hw, destinationStride: 1)
            }
            for (g, layer) in layers.enumerated() {
                layer.accumulate(channel: channel, x: workspace.channelValues, samples: n, sign: term.sign, into: preActivations[g])
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
