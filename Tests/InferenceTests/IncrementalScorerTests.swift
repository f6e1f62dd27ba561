import Basics
import Foundation
import Testing
import FeatureData
@testable import Inference

/// A small SplitMix64 for test allocations (InferenceTests does not depend on MultiObjective,
/// which owns the toolkit's `SeededRandom`).
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func allocation(_ channels: Int, maxBits: Int = 8) -> [Int] { (0..<channels).map { _ in int(0...maxBits) } }
}

/// The expectation for an allocation scored two ways: the plain `Scorer` (float32 sgemm first
/// layer, validated against reference.json) is the reference. Counts (accuracy, correct,
/// agreement) must be identical; PSNR and mIoU may differ by the float rounding of the first
/// layer only.
func expectSameScores(_ ours: Evaluation, _ reference: Evaluation, psnrTolerance: Double = 2e-6, _ context: String) -> Double {
    var largestPSNRDifference = 0.0
    #expect(ours.samples == reference.samples, "\(context) samples")
    for (a, b) in zip(ours.tasks, reference.tasks) {
        #expect(a.name == b.name)
        switch a.kind {
        case .classification:
            #expect(a.metric == b.metric, "\(context) \(a.name) accuracy \(a.metric) vs \(b.metric)")
            #expect(a.detail("correct") == b.detail("correct"), "\(context) \(a.name) correct")
            #expect(a.detail("agreement") == b.detail("agreement"), "\(context) \(a.name) agreement")
        case .reconstruction:
            largestPSNRDifference = Swift.max(largestPSNRDifference, abs(a.metric - b.metric))
            #expect(abs(a.metric - b.metric) <= psnrTolerance, "\(context) \(a.name) psnr \(a.metric) vs \(b.metric)")
        case .segmentation:
            #expect(abs(a.metric - b.metric) <= 1e-6, "\(context) \(a.name) miou \(a.metric) vs \(b.metric)")
            #expect(a.detail("correctPixels") == b.detail("correctPixels"), "\(context) \(a.name) correct pixels")
        }
    }
    return largestPSNRDifference
}

/// Bit-for-bit equality: what path independence promises.
func expectIdentical(_ a: Evaluation, _ b: Evaluation, _ context: String) {
    for (x, y) in zip(a.tasks, b.tasks) {
        #expect(x.metric.bitPattern == y.metric.bitPattern, "\(context) \(x.name) \(x.metric) vs \(y.metric)")
        #expect(x.details.map(\.value.bitPattern) == y.details.map(\.value.bitPattern), "\(context) \(x.name) details")
    }
}

/// An NSGA-II-like stream: random parents, then children that copy an earlier allocation and
/// change 1–3 channels (±1 or a random reset), with some exact revisits.
func nsgaLikeStream(channels: Int, count: Int, seed: UInt64) -> [[Int]] {
    var random = TestRandom(state: seed)
    var stream: [[Int]] = (0..<6).map { _ in random.allocation(channels) }
    while stream.count < count {
        let parent = stream[random.int(0...(stream.count - 1))]
        if random.int(0...9) == 0 { stream.append(parent); continue }
        var child = parent
        for _ in 0..<random.int(1...3) {
            let c = random.int(0...(channels - 1))
            child[c] = random.int(0...1) == 0 ? Swift.min(8, Swift.max(0, child[c] + (random.int(0...1) == 0 ? -1 : 1))) : random.int(0...8)
        }
        stream.append(child)
    }
    return stream
}

@Suite("incremental scoring")
struct IncrementalScorerTests {
    static func mini() throws -> (FeatureBundle, Quantiser) {
        let bundle = try FeatureBundle(directory: ReferenceBundles.mini)
        return (bundle, Quantiser(fitOf: bundle))
    }

    @Test("random allocations score as the plain Scorer does")
    func randomAllocations() throws {
        let (bundle, quantiser) = try Self.mini()
        let scorer = Scorer(bundle: bundle, split: .search, quantiser: quantiser)
        let incremental = IncrementalScorer(bundle: bundle, split: .search, quantiser: quantiser)
        #expect(incremental.isIncremental)
        var random = TestRandom(state: 11)
        var largest = 0.0
        var allocations = (0..<40).map { _ in random.allocation(bundle.channels) }
        allocations += [[Int](repeating: 0, count: bundle.channels), [Int](repeating: 8, count: bundle.channels), [Int](repeating: 1, count: bundle.channels)]
        // Neighbours of those (two channels changed): the delta path.
        allocations += allocations.map { bits in
            var child = bits
            child[random.int(0...(bits.count - 1))] = random.int(0...8)
            child[random.int(0...(bits.count - 1))] = random.int(0...8)
            return child
        }
        for (k, bits) in allocations.enumerated() {
            largest = Swift.max(largest, expectSameScores(incremental.score(bits: bits), scorer.score(bits: bits), "allocation \(k)"))
        }
        print("random allocations: largest PSNR difference from Scorer \(largest) dB; \(incremental.statistics)")
        #expect(incremental.statistics.deltas > 0)
    }

    @Test("NSGA-II-like streams with revisits and evictions: Scorer's scores, independent of path")
    func streams() throws {
        let (bundle, quantiser) = try Self.mini()
        let scorer = Scorer(bundle: bundle, split: .search, quantiser: quantiser)
        let stream = nsgaLikeStream(channels: bundle.channels, count: 150, seed: 5)
        let roomy = IncrementalScorer(bundle: bundle, split: .search, quantiser: quantiser)
        let entryBytes = 4 * roomy.entryElements
        // Two entries only: nearly every allocation evicts one, bases are often far.
        let tight = IncrementalScorer(bundle: bundle, split: .search, quantiser: quantiser, memoryBudget: 2 * entryBytes)
        // No room at all: every allocation from the bias.
        let none = IncrementalScorer(bundle: bundle, split: .search, quantiser: quantiser, memoryBudget: 0)
        // In batches (as NSGA-II hands over generations): terms shared within each batch.
        let batched = IncrementalScorer(bundle: bundle, split: .search, quantiser: quantiser)
        let roomyResults = stream.map { roomy.score(bits: $0) }
        let tightResults = stream.map { tight.score(bits: $0) }
        let noneResults = stream.map { none.score(bits: $0) }
        let batchedResults = Swift.stride(from: 0, to: stream.count, by: 16).flatMap { batched.score(batch: Array(stream[$0..<Swift.min(stream.count, $0 + 16)])) }
        var largest = 0.0
        for (k, bits) in stream.enumerated() {
            largest = Swift.max(largest, expectSameScores(roomyResults[k], scorer.score(bits: bits), "stream \(k)"))
            expectIdentical(roomyResults[k], tightResults[k], "stream \(k) roomy vs tight cache")
            expectIdentical(roomyResults[k], noneResults[k], "stream \(k) roomy vs no cache")
            expectIdentical(roomyResults[k], batchedResults[k], "stream \(k) one by one vs in batches")
        }
        print("stream: largest PSNR difference \(largest) dB; roomy \(roomy.statistics); tight \(tight.statistics); none \(none.statistics); batched \(batched.statistics)")
        #expect(roomy.statistics.cacheHits > 0)
        #expect(roomy.statistics.deltas > 100)
        #expect(roomy.statistics.meanChangedChannels <= 4)
        #expect(tight.statistics.evictions > 0)
        #expect(tight.cachedAllocations == 2)
        #expect(none.statistics.deltas == 0)
        // A batch computes each term it needs more than once a single time: far fewer than one
        // per channel per allocation.
        #expect(batched.statistics.batched == Set(stream).count)
        #expect(batched.statistics.termsComputed > 0)
        #expect(batched.statistics.termsComputed < batched.statistics.batched * bundle.channels / 3)

        // The same allocations in reverse order, after the cache is cleared: same bits.
        roomy.clear()
        for (k, bits) in stream.enumerated().reversed() {
            expectIdentical(roomy.score(bits: bits), roomyResults[k], "reversed \(k)")
        }
    }

    @Test("results do not depend on the number of workers")
    func workers() throws {
        let (bundle, quantiser) = try Self.mini()
        let stream = nsgaLikeStream(channels: bundle.channels, count: 40, seed: 9)
        let one = IncrementalScorer(bundle: bundle, split: .search, quantiser: quantiser, workers: 1).score(batch: stream)
        let two = IncrementalScorer(bundle: bundle, split: .search, quantiser: quantiser, workers: 2).score(batch: stream)
        let three = IncrementalScorer(bundle: bundle, split: .search, quantiser: quantiser, workers: 3).score(batch: stream)
        for k in stream.indices {
            expectIdentical(one[k], two[k], "1 vs 2 workers, allocation \(k)")
            expectIdentical(one[k], three[k], "1 vs 3 workers, allocation \(k)")
        }
    }

    @Test("every layer type and several first-conv groups (hand-made bundle)")
    func tinyBundle() throws {
        let root = try TinyBundle.write()
        defer { try? FileManager.default.removeItem(at: root) }
        let bundle = try FeatureBundle(directory: root.path)
        let quantiser = Quantiser(fitOf: bundle)
        let scorer = Scorer(bundle: bundle, split: .eval, quantiser: quantiser)
        let incremental = IncrementalScorer(bundle: bundle, split: .eval, quantiser: quantiser)
        // parts (3×3 pad 1), parity (3×3 stride 2) and image + zoom (1×1): three groups.
        #expect(incremental.layers.count == 3)
        var random = TestRandom(state: 3)
        var stream = (0..<30).map { _ in random.allocation(bundle.channels) }
        stream += stream.prefix(5)
        for (k, bits) in stream.enumerated() {
            _ = expectSameScores(incremental.score(bits: bits), scorer.score(bits: bits), "tiny \(k) \(bits)")
        }
        #expect(incremental.statistics.cacheHits == 5 + stream.count - Set(stream).count - 5)
    }

    @Test("heads without a shared first conv (dense on vector features) take the plain path")
    func vectorFeatures() throws {
        let root = try VectorFeatureTests.write()
        defer { try? FileManager.default.removeItem(at: root) }
        let bundle = try FeatureBundle(directory: root.path)
        let quantiser = Quantiser(fitOf: bundle)
        let scorer = Scorer(bundle: bundle, split: .eval, quantiser: quantiser)
        let incremental = IncrementalScorer(bundle: bundle, split: .eval, quantiser: quantiser)
        #expect(!incremental.isIncremental)
        for bits in [[2, 0, 1], [1, 1, 1], [0, 0, 0], [2, 0, 1]] {
            expectIdentical(incremental.score(bits: bits), scorer.score(bits: bits), "vector \(bits)")
        }
        #expect(incremental.statistics.cacheHits == 1)
        #expect(incremental.statistics.full == 3)
    }

    @Test("digits-pair search split: random allocations and a stream match the Scorer")
    func fullBundle() throws {
        guard ReferenceBundles.fullPresent else {
            print("skipped: \(ReferenceBundles.full) is absent")
            return
        }
        let bundle = try FeatureBundle(directory: ReferenceBundles.full)
        let quantiser = Quantiser(fitOf: bundle)
        let scorer = Scorer(bundle: bundle, split: .search, quantiser: quantiser)
        let incremental = IncrementalScorer(bundle: bundle, split: .search, quantiser: quantiser)
        var random = TestRandom(state: 21)
        var stream = (0..<10).map { _ in random.allocation(bundle.channels) }
        stream += nsgaLikeStream(channels: bundle.channels, count: 40, seed: 4)
        var largest = 0.0
        for (k, bits) in stream.enumerated() {
            largest = Swift.max(largest, expectSameScores(incremental.score(bits: bits), scorer.score(bits: bits), "digits-pair \(k)"))
        }
        print("digits-pair: largest PSNR difference \(largest) dB; \(incremental.statistics)")
    }
}
