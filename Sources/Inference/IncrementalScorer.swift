import Dispatch
import FeatureData
import Foundation

/// Scores many allocations on one split, far faster than one `Scorer` call each: in batches (an
/// NSGA-II generation) with the first layer's per-channel terms shared, or one at a time updated
/// from a cached relative.
///
/// The first layer of every shared-conv head is linear in each input channel: its pre-activation
/// is `bias + Σ_c T(c, b_c)`, where the term `T(c, b)` (a single-channel conv of channel `c`
/// quantised at depth `b`, `FixedPointFirstConv`) depends on the channel's depth only.
///
/// * **Batches** (`score(batch:)`). Across a generation the same `(channel, depth)` pairs recur:
///   64 children of a digits-pair run need ~170 distinct terms, not 64 · 32. Each term is
///   computed once per tile of samples into a slot; pairs of slots that four or more allocations
///   add together are summed once first. Slots are laid out pixel by pixel, so one output pixel's
///   rows of every slot sit together in L1 while each allocation sums its own (its constant row:
///   the bias and its dropped channels, folded once per batch; plus its slots) and writes the
///   heads' inputs. The heads then run once on all allocations' rows stacked: one large sgemm per
///   layer instead of 64 small ones. A batch reads and writes no cached pre-activations: 8 MB
///   entries from memory cost more than the sums (digits-pair: 4.3 vs 4.9 ms per allocation).
/// * **One at a time** (`score(bits:)`). The fixed-point pre-activations of recently scored
///   allocations are kept in an `AllocationCache` (LRU within a memory budget); a new allocation
///   starts from the cheapest cached start (one entry, or two minus a third for NSGA-II siblings)
///   and updates only the changed channels, `− T(c, old) + T(c, new)`.
/// * Exact repeats cost nothing: finished results are kept by allocation.
/// * The rest of each head (ReLU, dense, upsample + conv, …) runs as in `Scorer`.
///
/// Results depend only on the allocation, bit for bit: not on the batch it came in, the path that
/// computed it, what the cache held (integer sums are exact; see `FixedPointFirstConv`), nor the
/// number of workers (chunks of samples are fixed; statistics are summed per sample, in order).
/// They equal `Scorer.score(bits:)` up to float rounding of the first layer (the Scorer sums it in
/// float32 by sgemm): accuracies identical except at a logit margin of about 1e-6, PSNR within
/// ~1e-6 dB.
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
        /// Allocations scored in batches (their first-layer terms shared).
        public var batched = 0
        /// First-layer terms `T(channel, depth)` computed for batches: each once per batch, shared
        /// by every allocation of the batch that needs it.
        public var termsComputed = 0
        /// Pairs of shared terms summed once for several allocations of a batch.
        public var pairsComputed = 0

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
    /// Per task: its second layer is a ReLU (applied while extracting the first layer's output).
    let reluAfterFirstLayer: [Bool]
    /// Per group: the tasks whose first layer it computes (member, channels, ReLU next).
    let sharedHeads: [[(task: Int, member: Int, channels: Int, relu: Bool)]]
    let entryElements: Int
    private let cache: AllocationCache
    private var results: [[Int]: Evaluation] = [:]
    private var constantTerms: [ConstantKey: FixedBuffer<Int32>] = [:]
    private var uniformPlans: [Int: QuantisationPlan] = [:]
    /// x̂ of one channel at one depth for every sample of the split (`[samples, H·W]`), kept
    /// while they fit in `reconstructionBudget`: a term needs them again and again, and
    /// quantising on the fly costs a tenth of the term itself.
    private var reconstructions: [Int: FixedBuffer<Float>] = [:]
    private let reconstructionBudget = 256 << 20
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
        let relu = scorer.programs.map { program in
            program.layers.count > 1 && { if case .relu = program.layers[1] { return true } else { return false } }()
        }
        reluAfterFirstLayer = relu
        let plain = scorer
        sharedHeads = (0..<(layers.contains { $0 == nil } ? 0 : layers.count)).map { g in
            plain.membership.enumerated().compactMap { t, place in
                guard let place, place.group == g else { return nil }
                return (t, place.member, plain.groups[g].channelCounts[place.member], relu[t])
            }
        }
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
        lock.withLock { scoreLocked([bits])[0] }
    }

    /// Scores allocations in order (each one may start from any earlier one). A batch is
    /// cheaper than the same allocations one by one: a term `T(c, b)` that several of them
    /// need is computed once per chunk of samples and added wherever it is needed.
    public func score(batch: [[Int]]) -> [Evaluation] {
        lock.withLock { scoreLocked(batch) }
    }

    /// Forgets every cached result and pre-activation (statistics are kept).
    public func clear() {
        lock.withLock {
            results.removeAll()
            cache.removeAll()
        }
    }

    private func scoreLocked(_ batch: [[Int]]) -> [Evaluation] {
        for bits in batch {
            precondition(bits.count == scorer.channels, "\(bits.count) depths for \(scorer.channels) channels")
        }
        // New allocations, each once; the rest are answered from the results.
        var fresh: [[Int]] = []
        var seen = Set<[Int]>()
        for bits in batch where results[bits] == nil && seen.insert(bits).inserted {
            fresh.append(bits)
        }
        statistics.cacheHits += batch.count - fresh.count
        if !fresh.isEmpty {
            let evaluations: [Evaluation]
            if layers.isEmpty {
                evaluations = fresh.map { scorer.score(bits: $0) }
                statistics.full += fresh.count
            } else {
                evaluations = scoreIncrementally(fresh)
            }
            for (bits, evaluation) in zip(fresh, evaluations) { results[bits] = evaluation }
        }
        return batch.map { results[$0]! }
    }

    /// Whether `T(c, b)` is a constant map (the quantiser's constant mode: a dropped channel, or
    /// one with hi == lo).
    private func isConstant(channel c: Int, depth b: Int) -> Bool {
        b == 0 || scorer.quantiser.stats.hi[c] == scorer.quantiser.stats.lo[c]
    }

    /// The planner's costs, in units of one term chunk added to a pre-activation (reading
    /// `samples · elements` integers that are usually in cache):
    /// * adding a term, or a constant map (0 bits, or a channel with hi == lo): 1;
    /// * computing a term no allocation of the batch needed before (a single-channel conv per
    ///   sample, ~7 adds' worth);
    /// * reading one more cached pre-activation (from memory, not cache): 2.
    private static let addCost = 1
    private static let computeCost = 6
    private static let extraBaseCost = 2
    /// Single-base candidates tried in pairs for the `E1 + E2 − E3` start.
    private static let pairCandidates = 8

    /// One signed term of an update: `sign · T(channel, depth)`.
    struct Term: Sendable, Hashable {
        var channel: Int
        var depth: Int
        var sign: Int32
    }

    private struct TermKey: Hashable { var channel: Int, depth: Int }
    /// Two shared terms' slots summed into a slot of their own.
    struct PairKey: Hashable, Sendable { var first: Int, second: Int }

    /// How one allocation of a batch is computed.
    private struct Plan {
        var bits: [Int]
        var bases: [(AllocationCache.Entry, Int32)]
        var terms: [Term]
        var changed: Int
        var destination: AllocationCache.Entry?
    }

    /// The cost of the term `T(c, b)`.
    @inline(__always)
    private func termCost(_ c: Int, _ b: Int) -> Int {
        isConstant(channel: c, depth: b) ? Self.addCost : Self.addCost + Self.computeCost
    }

    /// Picks the cheapest start for `bits` and the terms that correct it:
    /// * the bias (every channel's term added: the "full" path);
    /// * one cached allocation `E` (for each changed channel, `− T(c, E_c) + T(c, a_c)`);
    /// * `E1 + E2 − E3` with `E3` the allocation planned just before: NSGA-II makes children in
    ///   pairs whose depths, before mutation, are the parents' depths swapped channel by channel,
    ///   so `S(child 2) = S(parent 1) + S(parent 2) − S(child 1)` up to the mutated channels.
    ///   The parents are among the best single starts, so only those are tried in pairs.
    private func plan(for bits: [Int]) -> (bases: [(AllocationCache.Entry, Int32)], terms: [Term], changed: Int) {
        let n = bits.count
        var bestCost = 0
        for c in 0..<n { bestCost += termCost(c, bits[c]) }
        var best: [(AllocationCache.Entry, Int32)] = []
        var singles: [(cost: Int, entry: AllocationCache.Entry)] = []
        for entry in cache.entries {
            var cost = 0
            for c in 0..<n where entry.bits[c] != bits[c] {
                cost += termCost(c, entry.bits[c]) + termCost(c, bits[c])
            }
            singles.append((cost, entry))
            if cost < bestCost {
                bestCost = cost
                best = [(entry, 1)]
            }
        }
        if let last = cache.newest, singles.count >= 3, bestCost > 2 * Self.extraBaseCost {
            singles.sort { $0.cost < $1.cost }
            let candidates = singles.prefix(Self.pairCandidates).map(\.entry).filter { $0 !== last }
            let e3 = last.bits
            for (i, first) in candidates.enumerated() {
                let e1 = first.bits
                for second in candidates[(i + 1)...] {
                    let e2 = second.bits
                    var cost = 2 * Self.extraBaseCost
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
        if a == e1 { return e3 == e2 ? 0 : termCost(c, e3) + termCost(c, e2) }
        if a == e2 { return e3 == e1 ? 0 : termCost(c, e3) + termCost(c, e1) }
        if e3 == e1 { return termCost(c, a) + termCost(c, e2) }
        if e3 == e2 { return termCost(c, a) + termCost(c, e1) }
        if a == e3 { return termCost(c, e1) + termCost(c, e2) + 2 * termCost(c, a) }
        return termCost(c, a) + termCost(c, e3) + termCost(c, e1) + termCost(c, e2)
    }

    /// Plans every allocation in order (each may start from one planned before it: its entry
    /// is filled first, chunk by chunk), then runs them all chunk by chunk.
    ///
    /// A batch of several allocations does not use the cache of pre-activations: its terms are
    /// shared in cache, and reading and writing 8 MB entries from memory costs more than summing
    /// every channel's term (digits-pair: 4.3 ms per allocation without entries, 4.9 ms with).
    /// Allocations scored one at a time start from the cheapest cached entry.
    private func scoreIncrementally(_ batch: [[Int]]) -> [Evaluation] {
        guard batch.count == 1, let bits = batch.first else {
            statistics.full += batch.count
            statistics.batched += batch.count
            return run(batch.map { bits in
                Plan(bits: bits, bases: [], terms: bits.indices.map { Term(channel: $0, depth: bits[$0], sign: 1) }, changed: 0, destination: nil)
            })
        }
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
        return run([Plan(bits: bits, bases: bases, terms: terms, changed: changed, destination: destination)])
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

    /// x̂ of `channel` at `depth` for the whole split, when it fits the budget.
    private func reconstruction(channel: Int, depth: Int, plan: QuantisationPlan) -> FixedBuffer<Float>? {
        let key = channel * (Quantiser.maximumBits + 1) + depth
        if let known = reconstructions[key] { return known }
        let hw = scorer.pixelsPerChannel, c = scorer.channels
        guard 4 * samples * hw * (reconstructions.count + 1) <= reconstructionBudget else { return nil }
        let values = FixedBuffer<Float>(count: samples * hw, repeating: 0)
        for s in 0..<samples {
            plan.reconstruct(channel: channel, source: scorer.features.pointer + (s * c + channel) * hw, count: hw,
                             destination: values.pointer + s * hw, destinationStride: 1)
        }
        reconstructions[key] = values
        return values
    }

    /// Where a term's x̂ comes from: the whole split's (kept), or quantised chunk by chunk.
    private struct TermSource: @unchecked Sendable {
        var channel: Int
        var plan: QuantisationPlan
        var values: FixedBuffer<Float>?
    }

    /// The term source of `T(channel, depth)`.
    private func source(_ channel: Int, _ depth: Int) -> TermSource {
        let plan = uniformPlan(depth)
        return TermSource(channel: channel, plan: plan, values: reconstruction(channel: channel, depth: depth, plan: plan))
    }

    /// The map of a constant term (a dropped channel, or one with hi == lo) in group `g`.
    private func constantMap(_ term: Term, group g: Int) -> FixedBuffer<Int32> {
        constantTerm(group: g, channel: term.channel, value: uniformPlan(term.depth).codes[term.channel].constant)
    }

    /// Bytes of slots a worker fills and reads back at a time (a core's L2 and its share of L3).
    /// With pixel-major slots the sums read from L1 whatever the tile: on digits-pair 1, 2 and
    /// 4 MiB measured the same within the machine's noise (2.8–3.1 ms per allocation); smaller
    /// tiles cost more per call.
    private let slotCacheBytes = 2 << 20
    /// Samples the heads run on at once, over all allocations of a batch.
    private let headRows = 256

    private func run(_ plans: [Plan]) -> [Evaluation] {
        if plans.count == 1, let destination = plans[0].destination { return [runKept(plans[0], into: destination)] }
        precondition(plans.allSatisfy { $0.destination == nil }, "a batch either keeps every allocation or none")
        return runBatch(plans)
    }

    /// Runs `allocations` allocations over the split: chunks of samples dealt to the workers, each
    /// chunk in groups of `groupSamples` samples; `fill` computes a group's first layers, then
    /// every head runs on them (from `kept`, one allocation's cached pre-activation, or else from
    /// the workspace's head inputs).
    private func drive(allocations: Int, groupSamples: Int, kept: UnsafeMutablePointer<Int32>?, inputPlans: [QuantisationPlan]?,
                       reserve: (IncrementalWorkspace) -> Void,
                       fill: @escaping @Sendable (_ workspace: IncrementalWorkspace, _ first: Int, _ samples: Int) -> Void) -> [Evaluation] {
        let samples = scorer.samples, chunkSize = scorer.chunkSize
        let chunks = (samples + chunkSize - 1) / chunkSize
        let workerCount = Swift.min(scorer.workers, chunks)
        while workspaces.count < workerCount { workspaces.append(IncrementalWorkspace(self)) }
        for worker in 0..<workerCount { reserve(workspaces[worker]) }
        let stride = scorer.statisticsStride
        let statistics = FixedBuffer<Double>(count: allocations * chunks * stride, repeating: 0)
        nonisolated(unsafe) let kept = kept
        let work: @Sendable (Int) -> Void = { [self] worker in
            let workspace = workspaces[worker]
            var chunk = worker
            while chunk < chunks {
                let chunkEnd = Swift.min(samples, (chunk + 1) * chunkSize)
                var first = chunk * chunkSize
                while first < chunkEnd {
                    let n = Swift.min(groupSamples, chunkEnd - first)
                    fill(workspace, first, n)
                    runHeads(first: first, samples: n, kept: kept, allocations: allocations, inputPlans: inputPlans,
                             workspace: workspace, statistics: statistics.pointer + chunk * stride, allocationStride: chunks * stride)
                    first += n
                }
                chunk += workerCount
            }
        }
        if workerCount == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workerCount, execute: work)
        }
        return (0..<allocations).map { k in
            scorer.evaluation(summing: statistics, offset: k * chunks * stride, chunks: chunks)
        }
    }

    /// One allocation scored alone into its cache entry: per sample its start (the bias, or
    /// cached pre-activations with signs) and its constant maps summed in one pass, then each
    /// changed channel's term added where it is needed.
    private func runKept(_ plan: Plan, into entry: AllocationCache.Entry) -> Evaluation {
        let destination = entry.storage.pointer
        nonisolated(unsafe) let maps: [[(pointer: UnsafePointer<Int32>, sign: Int32, sampleStride: Int)]] = layers.indices.map { g in
            let eps = layers[g].elementsPerSample
            var maps: [(pointer: UnsafePointer<Int32>, sign: Int32, sampleStride: Int)] = plan.bases.isEmpty
                ? [(UnsafePointer(layers[g].biasMap.pointer), 1, 0)]
                : plan.bases.map { (UnsafePointer($0.0.storage.pointer + groupOffsets[g]), $0.1, eps) }
            for term in plan.terms where isConstant(channel: term.channel, depth: term.depth) {
                maps.append((UnsafePointer(constantMap(term, group: g).pointer), term.sign, 0))
            }
            return maps
        }
        let terms = plan.terms.filter { !isConstant(channel: $0.channel, depth: $0.depth) }.map { (source($0.channel, $0.depth), $0.sign) }
        let inputPlans = scorer.membership.contains { $0 == nil } ? [scorer.quantiser.plan(bits: plan.bits)] : nil
        nonisolated(unsafe) let out = destination
        let chunkSize = scorer.chunkSize
        return drive(allocations: 1, groupSamples: chunkSize, kept: destination, inputPlans: inputPlans, reserve: {
            $0.reserve(slotElements: 0, headRows: chunkSize)
        }) { [self] workspace, first, n in
            for (g, layer) in layers.enumerated() {
                let eps = layer.elementsPerSample, rows = out + groupOffsets[g] + first * eps
                withUnsafeTemporaryAllocation(of: UnsafePointer<Int32>.self, capacity: 2 * maps[g].count) { buffer in
                    let plus = buffer.baseAddress!, minus = plus + maps[g].count
                    for s in 0..<n {
                        var p = 0, m = 0
                        for map in maps[g] {
                            let row = map.pointer + (first + s) * map.sampleStride
                            if map.sign > 0 { plus[p] = row; p += 1 } else { minus[m] = row; m += 1 }
                        }
                        Kernels.sum(plus: plus, p, minus: minus, m, count: eps, into: rows + s * eps)
                    }
                }
                for (source, sign) in terms {
                    layer.accumulate(channel: source.channel, x: channelValues(source, first: first, samples: n, workspace: workspace), samples: n,
                                     sign: sign, into: rows)
                }
            }
        }[0]
    }

    /// A batch ready for the workers. Every term an allocation needs has a slot, computed once
    /// per tile of samples; pairs of slots (channels 2i and 2i + 1) that several allocations add
    /// have a slot of their own, the two summed once per tile. Per group, each allocation has a
    /// constant row (the bias and its dropped channels' maps: the same for every sample) and the
    /// offsets of its slots' rows, those added then those subtracted.
    private struct BatchPlan: @unchecked Sendable {
        var sources: [TermSource]
        var values: [UnsafePointer<Float>?]
        var pairs: [PairKey]
        var slots: Int
        /// `constantRows[g][k]`: allocation k's constant row of group g (one sample's `[pixels, total]`).
        var constantRows: [[FixedBuffer<Int32>]]
        var constantPointers: [FixedBuffer<UnsafePointer<Int32>>]
        /// Per group: every allocation's slot offsets (slot · total), allocation k's from
        /// `starts[k]` to `starts[k + 1]`, the first `plusCounts[k]` of them added.
        var offsets: [FixedBuffer<Int>]
        var starts: FixedBuffer<Int>
        var plusCounts: FixedBuffer<Int>
        var allocations: Int
    }

    /// Allocations scored together, none kept: the first layer of each is summed from shared
    /// slots straight into the heads' inputs, and the heads run on all of them stacked.
    private func runBatch(_ plans: [Plan]) -> [Evaluation] {
        var uses: [TermKey: Int] = [:]
        for plan in plans {
            for term in plan.terms where !isConstant(channel: term.channel, depth: term.depth) {
                uses[TermKey(channel: term.channel, depth: term.depth), default: 0] += 1
            }
        }
        // Most used first (the order changes no result: integer sums are exact).
        let keys = uses.sorted { $0.value != $1.value ? $0.value > $1.value : ($0.key.channel, $0.key.depth) < ($1.key.channel, $1.key.depth) }.map(\.key)
        var slotOf: [TermKey: Int] = [:]
        for (u, key) in keys.enumerated() { slotOf[key] = u }
        let sources = keys.map { source($0.channel, $0.depth) }
        statistics.termsComputed += keys.count

        var plus: [[Int]] = [], minus: [[Int]] = []
        var constantRows: [[FixedBuffer<Int32>]] = layers.map { _ in [] }
        for plan in plans {
            var added: [Int] = [], subtracted: [Int] = []
            var constants: [Term] = []
            for term in plan.terms {
                if let u = slotOf[TermKey(channel: term.channel, depth: term.depth)] {
                    if term.sign > 0 { added.append(u) } else { subtracted.append(u) }
                } else {
                    constants.append(term)
                }
            }
            plus.append(added)
            minus.append(subtracted)
            for g in layers.indices {
                let eps = layers[g].elementsPerSample
                let row = FixedBuffer<Int32>(count: eps, repeating: 0)
                row.pointer.update(from: layers[g].biasMap.pointer, count: eps)
                for term in constants { Kernels.add(constantMap(term, group: g).pointer, sign: term.sign, count: eps, into: row.pointer) }
                constantRows[g].append(row)
            }
        }
        // Pairs of added slots (channels 2i and 2i + 1) that several allocations add: summed once
        // per tile into a slot of their own, so those allocations read one row instead of two.
        // A pair costs about three row passes to make, so it pays from four uses on.
        var pairUses: [PairKey: Int] = [:]
        var pairsOf: [[(key: PairKey, first: Int, second: Int)]] = []
        for added in plus {
            var slotOfChannel: [Int: Int] = [:]
            for (i, u) in added.enumerated() { slotOfChannel[keys[u].channel] = i }
            var found: [(key: PairKey, first: Int, second: Int)] = []
            for (channel, i) in slotOfChannel where channel % 2 == 0 {
                guard let j = slotOfChannel[channel + 1] else { continue }
                let key = PairKey(first: added[i], second: added[j])
                found.append((key, i, j))
                pairUses[key, default: 0] += 1
            }
            pairsOf.append(found)
        }
        let pairs = pairUses.filter { $0.value >= 4 }.map(\.key).sorted { ($0.first, $0.second) < ($1.first, $1.second) }
        var pairSlot: [PairKey: Int] = [:]
        for (j, key) in pairs.enumerated() { pairSlot[key] = keys.count + j }
        for k in plus.indices {
            var drop = Set<Int>()
            var paired: [Int] = []
            for pair in pairsOf[k] {
                guard let u = pairSlot[pair.key] else { continue }
                drop.insert(pair.first)
                drop.insert(pair.second)
                paired.append(u)
            }
            if !paired.isEmpty { plus[k] = plus[k].enumerated().filter { !drop.contains($0.offset) }.map(\.element) + paired }
        }
        statistics.pairsComputed += pairs.count

        var starts = [0], plusCounts: [Int] = []
        for k in plus.indices {
            starts.append(starts.last! + plus[k].count + minus[k].count)
            plusCounts.append(plus[k].count)
        }
        let batch = BatchPlan(
            sources: sources, values: sources.map { $0.values.map { UnsafePointer($0.pointer) } }, pairs: pairs, slots: keys.count + pairs.count,
            constantRows: constantRows,
            constantPointers: constantRows.map { rows in FixedBuffer(copying: rows.map { UnsafePointer($0.pointer) }) },
            offsets: layers.map { layer in FixedBuffer(copying: plus.indices.flatMap { k in (plus[k] + minus[k]).map { $0 * layer.total } }) },
            starts: FixedBuffer(copying: starts), plusCounts: FixedBuffer(copying: plusCounts), allocations: plans.count)

        let inputPlans = scorer.membership.contains { $0 == nil } ? plans.map { scorer.quantiser.plan(bits: $0.bits) } : nil
        // A chunk goes in groups of samples small enough that every allocation's head inputs for
        // the group, and the heads run on all of them at once (one sgemm of `allocations · group`
        // rows), stay in cache.
        let groupSamples = Swift.max(1, Swift.min(scorer.chunkSize, headRows / plans.count))
        // The slots of a few samples, or of part of one sample's output pixels, at a time, so that
        // they stay in cache while every allocation of the batch adds them.
        let tiles = makeTiles(slots: batch.slots, samples: groupSamples)
        let samplesPerTile = tiles[0].samples
        let slotElements = tiles.map(\.elements).max()!
        return drive(allocations: plans.count, groupSamples: groupSamples, kept: nil, inputPlans: inputPlans, reserve: {
            $0.reserve(slotElements: slotElements, headRows: plans.count * groupSamples)
        }) { [self] workspace, first, n in
            var done = 0
            while done < n {
                let m = Swift.min(samplesPerTile, n - done)
                for whole in tiles {
                    let tile = m == whole.samples ? whole : Tile(samples: m, pixels: whole.pixels, slots: batch.slots, layers: layers)
                    computeSlots(batch, first: first + done, tile: tile, workspace: workspace)
                    sumAndExtract(batch, first: first + done, tile: tile, offset: done, groupSamples: n, workspace: workspace)
                }
                done += m
            }
        }
    }

    /// A block of samples and output pixels whose slots are filled at once: `samples` samples
    /// (the last block of a chunk may have fewer), and per group a range of output pixels. A
    /// group's slot rows are laid out `[sample, pixel, slot, output]`, so all slots' rows of
    /// one pixel are contiguous.
    struct Tile: Sendable {
        let samples: Int
        let pixels: [Range<Int>]
        let slots: Int
        /// Where each group's slot rows start in the worker's slot buffer.
        let groupOffsets: [Int]
        /// Integers of every slot of the tile.
        let elements: Int

        init(samples: Int, pixels: [Range<Int>], slots: Int, layers: [FixedPointFirstConv]) {
            self.samples = samples
            self.pixels = pixels
            self.slots = slots
            var offsets: [Int] = []
            var offset = 0
            for (range, layer) in zip(pixels, layers) {
                offsets.append(offset)
                offset += samples * range.count * slots * layer.total
            }
            groupOffsets = offsets
            elements = offset
        }
    }

    /// The tiles covering a group of `samples` samples: several whole samples when the slots of
    /// one sample fit `slotCacheBytes`, else one sample cut into ranges of output pixels.
    private func makeTiles(slots: Int, samples groupSamples: Int) -> [Tile] {
        let sampleBytes = 4 * Swift.max(1, slots) * layers.map(\.elementsPerSample).reduce(0, +)
        if sampleBytes <= slotCacheBytes {
            let m = Swift.max(1, Swift.min(groupSamples, slotCacheBytes / sampleBytes))
            return [Tile(samples: m, pixels: layers.map { 0..<$0.pixels }, slots: slots, layers: layers)]
        }
        let parts = Swift.min(layers.map(\.pixels).min()!, (sampleBytes + slotCacheBytes - 1) / slotCacheBytes)
        return (0..<parts).map { t in
            Tile(samples: 1, pixels: layers.map { ($0.pixels * t / parts)..<($0.pixels * (t + 1) / parts) }, slots: slots, layers: layers)
        }
    }

    /// x̂ of a term's channel for samples `first ..< first + n`, `[n, H·W]`.
    private func channelValues(_ source: TermSource, first: Int, samples n: Int, workspace: IncrementalWorkspace) -> UnsafePointer<Float> {
        let hw = scorer.pixelsPerChannel
        if let values = source.values { return UnsafePointer(values.pointer + first * hw) }
        let c = scorer.channels
        for s in 0..<n {
            source.plan.reconstruct(channel: source.channel, source: scorer.features.pointer + ((first + s) * c + source.channel) * hw, count: hw,
                                    destination: workspace.channelValues + s * hw, destinationStride: 1)
        }
        return UnsafePointer(workspace.channelValues)
    }

    /// Computes every slot of one tile (samples `first ..< first + tile.samples`): the terms,
    /// then the pairs.
    private func computeSlots(_ batch: BatchPlan, first: Int, tile: Tile, workspace: IncrementalWorkspace) {
        let hw = scorer.pixelsPerChannel
        // Borrowed buffers and one reference per layer: copying a TermSource or reading
        // `layers[g]` per call would retain and release in the innermost loop.
        batch.sources.withUnsafeBufferPointer { sources in
            batch.values.withUnsafeBufferPointer { values in
                for (g, layer) in layers.enumerated() {
                    let total = layer.total, pixelStride = tile.slots * total, rows = tile.samples * tile.pixels[g].count
                    let region = workspace.slotBase + tile.groupOffsets[g]
                    for u in sources.indices {
                        let x = values[u].map { $0 + first * hw } ?? channelValues(sources[u], first: first, samples: tile.samples, workspace: workspace)
                        layer.store(channel: sources[u].channel, x: x, samples: tile.samples, pixels: tile.pixels[g], into: region + u * total,
                                    pixelStride: pixelStride)
                    }
                    for (j, pair) in batch.pairs.enumerated() {
                        let a = region + pair.first * total, b = region + pair.second * total, out = region + (sources.count + j) * total
                        for r in 0..<rows {
                            let at = r * pixelStride
                            for e in 0..<total { out[at + e] = a[at + e] &+ b[at + e] }
                        }
                    }
                }
            }
        }
    }

    /// Every allocation of the batch on one tile, one output pixel of one sample at a time: that
    /// pixel's rows of every slot are contiguous and stay in L1 (digits-pair: ~230 slots of 256
    /// bytes) while each allocation sums its own (its constant row, plus and minus its slots) into
    /// the worker's tile row, whence every head's input is written (scaled to float, ReLU when the
    /// head has one next). Reading each allocation's rows straight from the tile's 2 MB of slots
    /// instead was L2/L3-bound (digits-pair: 3.9 against 3.4 ms per allocation). Allocation `k`'s
    /// sample `offset + s` goes to row `k · groupSamples + offset + s` of the heads' inputs.
    private func sumAndExtract(_ batch: BatchPlan, first: Int, tile: Tile, offset: Int, groupSamples: Int, workspace: IncrementalWorkspace) {
        let row = workspace.tileRow, allocations = batch.allocations
        let starts = batch.starts.pointer, plusCounts = batch.plusCounts.pointer
        for (g, layer) in layers.enumerated() {
            let total = layer.total, pixels = tile.pixels[g], layerPixels = layer.pixels
            let pixelStride = tile.slots * total
            let region = UnsafePointer(workspace.slotBase + tile.groupOffsets[g])
            let offsets = UnsafePointer(batch.offsets[g].pointer), constants = UnsafePointer(batch.constantPointers[g].pointer)
            let heads = sharedHeads[g]
            // Everything the loops read, copied to the stack once: reading arrays of class
            // references or of structs holding them would retain and release.
            withUnsafeTemporaryAllocation(of: (input: UnsafeMutablePointer<Float>, member: Int, channels: Int, relu: Bool).self,
                                          capacity: heads.count) { destinations in
                for (h, head) in heads.enumerated() {
                    destinations[h] = (workspace.headInputs[head.task]!, head.member, head.channels, head.relu)
                }
                for s in 0..<tile.samples {
                    for p in pixels {
                        let rows = region + (s * pixels.count + p - pixels.lowerBound) * pixelStride
                        for k in 0..<allocations {
                            let start = starts[k], added = plusCounts[k], subtracted = starts[k + 1] - start - added
                            Kernels.sum(start: constants[k] + p * total, rows: rows, plus: offsets + start, added,
                                        minus: offsets + start + added, subtracted, count: total, into: row)
                            let sample = k * groupSamples + offset + s
                            for head in destinations {
                                layer.extract(member: head.member, from: row, rows: 1, relu: head.relu,
                                              into: head.input + (sample * layerPixels + p) * head.channels)
                            }
                        }
                    }
                }
            }
        }
    }

    /// A metric's statistics one sample at a time: sums in sample order, whatever groups of
    /// samples the heads ran on (their size depends on the batch), so a result never depends
    /// on the batch it was scored in.
    @inline(__always)
    private func accumulate(_ metric: TaskMetric, output: UnsafePointer<Float>, outputSize: Int, first: Int, samples n: Int,
                            into statistics: UnsafeMutablePointer<Double>) {
        guard metric.kind == .reconstruction else {
            // Counts: exact integers in any grouping.
            metric.accumulate(output: output, first: first, samples: n, into: statistics)
            return
        }
        for s in 0..<n {
            metric.accumulate(output: output + s * outputSize, first: first + s, samples: 1, into: statistics)
        }
    }

    /// Every head on every allocation's pre-activation for samples `first ..< first + n`, and the
    /// metrics: allocation `k`'s statistics at `statistics + k · allocationStride`. A head whose
    /// first layer is shared runs once on all allocations' rows stacked (the same weights for
    /// every allocation, so one large sgemm instead of many small ones).
    /// `kept`: one allocation's cached pre-activation; nil: the inputs are already in the
    /// workspace's head inputs (`sumAndExtract`).
    private func runHeads(first: Int, samples n: Int, kept: UnsafeMutablePointer<Int32>?, allocations: Int,
                          inputPlans: [QuantisationPlan]?,
                          workspace: IncrementalWorkspace, statistics: UnsafeMutablePointer<Double>, allocationStride: Int) {
        let scratch = workspace.batchScratch
        for (t, program) in scorer.programs.enumerated() {
            let metric = scorer.metrics[t], offset = scorer.statisticsOffsets[t]
            if let place = scorer.membership[t] {
                let reluNext = reluAfterFirstLayer[t]
                let input: UnsafeMutablePointer<Float>
                if let kept {
                    let layer = layers[place.group]
                    layer.extract(member: place.member, from: kept + groupOffsets[place.group] + first * layer.elementsPerSample, samples: n,
                                  relu: reluNext, into: scratch.first)
                    input = scratch.first
                } else {
                    input = workspace.headInputs[t]!
                }
                let output = program.run(from: reluNext ? 2 : 1, input: input, samples: allocations * n, scratch: scratch, ownsInput: true)
                let outputSize = program.sampleSizes.last!
                for k in 0..<allocations {
                    accumulate(metric, output: output + k * n * outputSize, outputSize: outputSize, first: first, samples: n,
                               into: statistics + k * allocationStride + offset)
                }
            } else if let inputPlans {
                for k in 0..<allocations {
                    scorer.quantiseChunk(first: first, samples: n, plan: inputPlans[k], into: workspace.heads.input)
                    let output = program.run(from: 0, input: workspace.heads.input, samples: n, scratch: workspace.heads.scratch, ownsInput: false)
                    accumulate(metric, output: output, outputSize: program.sampleSizes.last!, first: first, samples: n,
                               into: statistics + k * allocationStride + offset)
                }
            }
        }
    }
}

/// One worker's buffers for `IncrementalScorer`: the Scorer's head buffers, one channel's x̂ for a
/// chunk, the shared terms' slots for a tile, one tile's pre-activation row, and the heads' inputs
/// for every allocation of a batch stacked.
final class IncrementalWorkspace: @unchecked Sendable {
    let heads: Workspace
    let channelValues: UnsafeMutablePointer<Float>
    private var slots = FixedBuffer<Int32>(count: 0, repeating: 0)
    /// Head buffers for every allocation of a batch stacked.
    private(set) var batchScratch = HeadScratch(activations: 0, patches: 0)
    /// Per task with a shared first layer: its input for every allocation of a batch stacked
    /// (filled by `sumAndExtract`); nil for the other tasks.
    private(set) var headInputs: [UnsafeMutablePointer<Float>?]
    private let headInputSizes: [Int?]
    /// One tile of one sample's pre-activation (every group's rows fit).
    let tileRow: UnsafeMutablePointer<Int32>
    private var batchRows = 0
    private let largestActivation: Int
    private let largestPatches: Int

    init(_ owner: IncrementalScorer) {
        let n = owner.scorer.chunkSize
        heads = Workspace(scorer: owner.scorer)
        channelValues = .allocate(capacity: n * owner.scorer.pixelsPerChannel)
        channelValues.initialize(repeating: 0, count: n * owner.scorer.pixelsPerChannel)
        largestActivation = owner.scorer.programs.map(\.largestActivation).max() ?? 0
        largestPatches = owner.scorer.programs.map(\.largestPatches).max() ?? 0
        headInputSizes = owner.scorer.programs.enumerated().map { t, program in
            owner.scorer.membership[t] == nil || owner.layers.isEmpty ? nil : program.sampleSizes[owner.reluAfterFirstLayer[t] ? 2 : 1]
        }
        headInputs = headInputSizes.map { _ in nil }
        let tileElements = owner.layers.map(\.elementsPerSample).max() ?? 1
        tileRow = .allocate(capacity: tileElements)
        tileRow.initialize(repeating: 0, count: tileElements)
    }

    /// Room for `slotElements` integers of shared terms and the heads on `headRows` samples
    /// (kept for later batches).
    func reserve(slotElements: Int, headRows: Int) {
        if slotElements > slots.count {
            slots = FixedBuffer(count: slotElements, repeating: 0)
        }
        if headRows > batchRows {
            batchScratch = HeadScratch(activations: headRows * largestActivation, patches: headRows * largestPatches)
            for t in headInputs.indices {
                headInputs[t]?.deallocate()
                headInputs[t] = headInputSizes[t].map { size in
                    let p = UnsafeMutablePointer<Float>.allocate(capacity: headRows * size)
                    p.initialize(repeating: 0, count: headRows * size)
                    return p
                }
            }
            batchRows = headRows
        }
    }

    /// The first slot's first integer (valid until the next `reserve`).
    var slotBase: UnsafeMutablePointer<Int32> { slots.pointer }

    deinit {
        channelValues.deallocate()
        tileRow.deallocate()
        for p in headInputs { p?.deallocate() }
    }
}
