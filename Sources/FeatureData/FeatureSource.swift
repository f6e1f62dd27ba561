import Basics
import CHalf
import Foundation

/// The values of one split tensor (`[N, C, H, W]` or `[N, C]`), wherever they live: in a `.npy`
/// file mapped read-only (a loaded bundle; `<f2`, `<f4` or `<f8`, read in place) or in memory
/// (a tensor built by code).
///
/// Per-channel computations read **channel blocks**: a few channels of every sample converted to
/// float32 (`block(channels:samples:)`, `mapChannelBlocks`), so statistics, distortion tables,
/// rates and importance run in bounded memory whatever the file's size. Each channel's values come
/// in sample order, exactly as in the whole tensor, so the results are bit-identical to a pass over
/// it. The whole float32 tensor (`tensor`: 4 bytes per element) is made only for what needs every
/// channel of a sample at once (head inference, Taylor), once, and kept.
public final class FeatureSource: @unchecked Sendable {
    public let shape: [Int]
    /// The file as errors name it (`bundle/fit.npy`), or `features` for a tensor made in memory.
    public let displayName: String
    private enum Storage {
        case memory
        case mapped(MappedFile, kind: Int32, dataStart: Int)
    }
    private let storage: Storage
    private let lock = NSLock()
    private var whole: Tensor<Float>?
    private var stats: ChannelStats?

    /// A source over a tensor already in memory.
    public init(_ tensor: Tensor<Float>, displayName: String = "features") {
        shape = tensor.shape
        self.displayName = displayName
        storage = .memory
        whole = tensor
    }

    /// A source over the floating-point `.npy` file `file`, whose header `layout` has been checked
    /// against the file's size.
    init(mapped file: MappedFile, layout: NpyFile.Layout, displayName: String) {
        shape = layout.header.shape
        self.displayName = displayName
        storage = .mapped(file, kind: Int32(layout.header.dtype.itemSize), dataStart: layout.dataStart)
    }

    public var samples: Int { shape[0] }
    public var channels: Int { shape[1] }
    public var sampleShape: [Int] { Array(shape.dropFirst()) }
    /// `H·W`, or 1 for `[N, C]` features.
    public var elementsPerChannel: Int { shape.dropFirst(2).reduce(1, *) }
    public var count: Int { shape.reduce(1, *) }
    /// Whether the values are read from a mapped file (and converted on every read).
    public var isMapped: Bool { if case .mapped = storage { return true } else { return false } }

    /// The whole tensor in float32, made on first use and kept (4 bytes per element). When the
    /// machine has not got the memory, the process stops with `error: FILE: not enough memory …`
    /// and exit status 2 rather than failing inside an allocation: callers that can stream use
    /// channel blocks instead, and `wholeTensor()` reports the same as a thrown error.
    public var tensor: Tensor<Float> { FeatureBundle.readOrStop { try wholeTensor() } }

    /// The whole tensor in float32, or an error naming the memory it needs.
    public func wholeTensor() throws -> Tensor<Float> {
        lock.lock()
        defer { lock.unlock() }
        if let whole { return whole }
        let bytes = count * MemoryLayout<Float>.size
        if let available = AvailableMemory.bytes, bytes > available {
            throw FeatureDataError(file: displayName, "not enough memory for a float32 copy of the features: it needs \(AvailableMemory.describe(bytes)), \(AvailableMemory.describe(available)) is available (commands that need head inference or Taylor scores hold it; statistics, distortion, rates and the MI estimators do not)")
        }
        let t = try convertWhole()
        whole = t
        return t
    }

    /// The mapped file in float32, block by block, giving the pages behind the scan back.
    private func convertWhole() throws -> Tensor<Float> {
        guard case .mapped(let file, let kind, let dataStart) = storage else { return whole! }
        let count = self.count, chunk = 1 << 20
        var failed = false
        let progress = ProgressLine("features to float32")
        defer { progress.finish() }
        let values = [Float](unsafeUninitializedCapacity: count) { out, initialised in
            initialised = count
            var i = 0
            while i < count {
                progress.update(done: i, of: count)
                let n = Swift.min(chunk, count - i)
                guard mipareto_mapped_to_float(file.bytes.baseAddress! + dataStart + i * Int(kind), kind, out.baseAddress! + i, n) == 0 else {
                    failed = true
                    return
                }
                i += n
                file.release(0..<(dataStart + i * Int(kind)))
            }
        }
        guard !failed else { throw truncated() }
        return Tensor(shape: shape, values: values)
    }

    /// Channels `range` of the samples `indices` (every sample when nil), as a `[n, G, …]` float32
    /// tensor in sample order.
    public func block(channels range: Range<Int>, samples indices: [Int]?) throws -> Tensor<Float> {
        if let whole = wholeInMemory(channels: range, samples: indices) { return whole }
        var values: [Float] = []
        try fill(&values, channels: range, samples: indices)
        return Tensor(shape: blockShape(channels: range, samples: indices), values: values)
    }

    /// The tensor itself when a block would copy all of it from memory.
    private func wholeInMemory(channels range: Range<Int>, samples indices: [Int]?) -> Tensor<Float>? {
        guard case .memory = storage, range == 0..<channels, indices == nil else { return nil }
        return whole
    }

    private func blockShape(channels range: Range<Int>, samples indices: [Int]?) -> [Int] {
        [indices?.count ?? samples, range.count] + Array(shape.dropFirst(2))
    }

    /// Writes channels `range` of the samples `indices` into `values` (resized to fit, its
    /// storage reused when it is large enough).
    private func fill(_ values: inout [Float], channels range: Range<Int>, samples indices: [Int]?) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= channels, "channels \(range) of \(channels)")
        let perChannel = elementsPerChannel, c = channels
        let n = indices?.count ?? samples
        let run = range.count * perChannel
        if values.count > n * run {
            values.removeLast(values.count - n * run)
        } else if values.count < n * run {
            values.append(contentsOf: repeatElement(0, count: n * run - values.count))
        }
        guard run > 0 else { return }
        var failure: FeatureDataError?
        values.withUnsafeMutableBufferPointer { out in
            switch storage {
            case .memory:
                whole!.values.withUnsafeBufferPointer { x in
                    for i in 0..<n {
                        let s = indices?[i] ?? i
                        (out.baseAddress! + i * run).update(from: x.baseAddress! + (s * c + range.lowerBound) * perChannel, count: run)
                    }
                }
            case .mapped(let file, let kind, let dataStart):
                let base = file.bytes.baseAddress! + dataStart
                for i in 0..<n {
                    let s = indices?[i] ?? i
                    let offset = (s * c + range.lowerBound) * perChannel
                    guard mipareto_mapped_to_float(base + offset * Int(kind), kind, out.baseAddress! + i * run, run) == 0 else {
                        failure = truncated()
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
    }

    /// Channels per block so that one block holds about `maxElements` float32 values; a split of
    /// at least `parallelElements` values that fits in fewer blocks still gets two per core, so
    /// every core works on it (results are per channel: the width never changes them).
    public func channelsPerBlock(samples n: Int, maxElements: Int = FeatureSource.blockElements) -> Int {
        let perChannel = Swift.max(1, n * elementsPerChannel)
        let width = Swift.max(1, Swift.min(channels, maxElements / perChannel))
        guard perChannel * channels >= FeatureSource.parallelElements else { return width }
        let blocks = 2 * ProcessInfo.processInfo.activeProcessorCount
        return Swift.min(width, Swift.max(1, (channels + blocks - 1) / blocks))
    }

    /// 1 M values: below this, one block costs less than handing blocks to other cores.
    public static let parallelElements = 1 << 20

    /// 32 M values (128 MB of float32): large enough that a block's overhead vanishes, small
    /// enough that two cores' blocks stay far below the memory a whole split would take.
    public static let blockElements = 1 << 25

    /// Every channel's values through `perBlock`, blocks spread over the cores (each block's result
    /// depends on its channels alone, so the thread count never changes it); results in channel order.
    ///
    /// The first pass over every sample also computes the channel statistics on the same blocks
    /// and keeps them (`channelStatistics()` is then free): every command needs them, and reading
    /// a mapped file costs more than the statistics. Block buffers are reused from block to
    /// block, so their pages are faulted in once per worker rather than once per block.
    public func mapChannelBlocks<Result: Sendable>(samples indices: [Int]? = nil, maxElements: Int = FeatureSource.blockElements,
                                                   progress: (@Sendable (Double) -> Void)? = nil,
                                                   _ perBlock: @Sendable (Range<Int>, Tensor<Float>) -> Result) throws -> [Result] {
        let width = channelsPerBlock(samples: indices?.count ?? samples, maxElements: maxElements)
        let ranges = stride(from: 0, to: channels, by: width).map { $0..<Swift.min(channels, $0 + width) }
        let collectStatistics = indices == nil && cachedStatistics == nil
        // libdispatch runs as many iterations at once as there are cores: that many blocks in memory.
        var results = [Result?](repeating: nil, count: ranges.count)
        var statistics = [ChannelStats?](repeating: nil, count: collectStatistics ? ranges.count : 0)
        let state = WorkerState()
        let buffers = BufferPool()
        results.withUnsafeMutableBufferPointer { buffer in
            statistics.withUnsafeMutableBufferPointer { statisticsBuffer in
                let slots = UnsafeSlots(base: buffer.baseAddress), statisticsSlots = UnsafeSlots(base: statisticsBuffer.baseAddress)
                ParallelFor.run(ranges.count) { index in
                    guard state.error == nil else { return }
                    do {
                        let block: Tensor<Float>
                        if let whole = self.wholeInMemory(channels: ranges[index], samples: indices) {
                            block = whole
                        } else {
                            var values = buffers.take()
                            try self.fill(&values, channels: ranges[index], samples: indices)
                            block = Tensor(shape: self.blockShape(channels: ranges[index], samples: indices), values: values)
                        }
                        slots.base![index] = perBlock(ranges[index], block)
                        if collectStatistics { statisticsSlots.base![index] = ChannelStats(features: block) }
                        buffers.give(block.values)
                        progress?(Double(state.completeOne()) / Double(ranges.count))
                    } catch {
                        state.fail(error)
                    }
                }
            }
        }
        releasePages()
        if let error = state.error { throw error }
        if collectStatistics {
            let parts = statistics.map { $0! }
            let s = ChannelStats(lo: parts.flatMap(\.lo), hi: parts.flatMap(\.hi), mean: parts.flatMap(\.mean), variance: parts.flatMap(\.variance))
            lock.lock()
            if stats == nil { stats = s }
            lock.unlock()
        }
        return results.map { $0! }
    }

    private var cachedStatistics: ChannelStats? {
        lock.lock()
        defer { lock.unlock() }
        return stats
    }

    /// The statistics of every channel over every sample (the quantiser's ranges and means), made
    /// once per source (see `mapChannelBlocks`): every command needs them, some several times.
    public func channelStatistics(progress: (@Sendable (Double) -> Void)? = nil) throws -> ChannelStats {
        if let stats = cachedStatistics { return stats }
        _ = try mapChannelBlocks(progress: progress) { _, _ in () }
        return cachedStatistics!
    }

    /// For a float16 file only: `perChannel(c, histogram)` for every channel `c`, where
    /// `histogram[bits]` counts the elements of channel `c` (every sample, every position) whose
    /// float16 bit pattern is `bits` (65 536 entries). A float16 channel has at most 65 536
    /// distinct values, so a per-value sum over the histogram replaces a pass over its
    /// `N·H·W` elements. Channels run over the cores; nil for any other source.
    public func mapHalfHistograms<Result: Sendable>(progress: (@Sendable (Double) -> Void)? = nil,
                                                    _ perChannel: @Sendable (Int, UnsafeBufferPointer<UInt32>) -> Result) throws -> [Result]? {
        guard case .mapped(let file, let kind, let dataStart) = storage, kind == 2 else { return nil }
        let base = (file.bytes.baseAddress! + dataStart).assumingMemoryBound(to: UInt16.self)
        let c = channels, n = samples, perChannel_ = elementsPerChannel
        let state = WorkerState()
        var results = [Result?](repeating: nil, count: c)
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = UnsafeSlots(base: buffer.baseAddress)
            let pointer = UnsafeSlots(base: UnsafeMutablePointer(mutating: base))
            ParallelFor.run(c) { ch in
                guard state.error == nil else { return }
                let histogram = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 1 << 16)
                defer { histogram.deallocate() }
                histogram.initialize(repeating: 0)
                for s in 0..<n {
                    guard mipareto_mapped_count_halves(pointer.base! + (s * c + ch) * perChannel_, perChannel_, histogram.baseAddress!) == 0 else {
                        state.fail(self.truncated())
                        return
                    }
                }
                slots.base![ch] = perChannel(ch, UnsafeBufferPointer(histogram))
                progress?(Double(state.completeOne()) / Double(c))
            }
        }
        releasePages()
        if let error = state.error { throw error }
        return results.map { $0! }
    }

    /// Hands the mapped file's pages back to the page cache (nothing for a source in memory).
    public func releasePages() {
        if case .mapped(let file, _, _) = storage { file.release(0..<file.count) }
    }

    /// Names the file, sample and channel of the first NaN or infinity. A mapped file is scanned
    /// in runs of `runLength` values (progress between runs).
    public func requireFinite(runLength: Int = 1 << 26) throws {
        switch storage {
        case .memory:
            try FeatureSource.requireFinite(whole!, file: displayName)
        case .mapped(let file, let kind, let dataStart):
            let run = Swift.max(1, runLength)
            let progress = ProgressLine("checking " + displayName.split(separator: "/").suffix(2).joined(separator: "/"))
            defer { progress.finish() }
            var index = 0, found: Int32 = 0, start = 0
            while start < count {
                let n = Swift.min(run, count - start)
                found = mipareto_mapped_find_nonfinite(file.bytes.baseAddress! + dataStart + start * Int(kind), kind, n, &index)
                file.release((dataStart + start * Int(kind))..<(dataStart + (start + n) * Int(kind)))
                if found != 0 { index += start; break }
                start += n
                progress.update(done: start, of: count)
            }
            guard found != -1 else { throw truncated() }
            guard found == 1 else { return }
            let one = try block(channels: (index / elementsPerChannel) % channels..<((index / elementsPerChannel) % channels + 1),
                                samples: [index / (channels * elementsPerChannel)])
            let value = one.values[index % elementsPerChannel]
            throw nonFinite(value, index: index)
        }
    }

    static func requireFinite(_ tensor: Tensor<Float>, file: String) throws {
        var index = 0
        let found = tensor.values.withUnsafeBufferPointer { mipareto_mapped_find_nonfinite($0.baseAddress, 4, $0.count, &index) }
        guard found == 1 else { return }
        throw FeatureSource(tensor, displayName: file).nonFinite(tensor.values[index], index: index)
    }

    private func nonFinite(_ value: Float, index: Int) -> FeatureDataError {
        let sample = index / (channels * elementsPerChannel)
        let channel = (index / elementsPerChannel) % channels
        let what = value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf")
        return FeatureDataError(file: displayName, "\(what) in channel \(channel) (sample \(sample)); features must be finite")
    }

    private func truncated() -> FeatureDataError {
        FeatureDataError(file: displayName, "the file shrank while it was being read (truncated by another program?); nothing past its end was read")
    }
}

/// Block buffers handed from finished blocks to the next (at most one per worker at a time).
private final class BufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [[Float]] = []
    func take() -> [Float] { lock.lock(); defer { lock.unlock() }; return free.popLast() ?? [] }
    func give(_ buffer: [Float]) { lock.lock(); free.append(buffer); lock.unlock() }
}

/// What concurrent block workers share: the first error, and how many blocks are done (for progress).
private final class WorkerState: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    private var done = 0
    var error: Error? { lock.lock(); defer { lock.unlock() }; return first }
    func fail(_ e: Error) { lock.lock(); if first == nil { first = e }; lock.unlock() }
    func completeOne() -> Int { lock.lock(); defer { lock.unlock() }; done += 1; return done }
}
