/// Fixed-point first-layer pre-activations of recently scored allocations, least recently used
/// dropped first, within a fixed number of entries (the memory budget divided by an entry's size).
///
/// Buffers of dropped entries are reused for new ones: a fresh 8 MB allocation per scored
/// allocation would cost page faults every time. Not thread-safe (`IncrementalScorer` serialises).
final class AllocationCache {
    final class Entry: @unchecked Sendable {
        var bits: [Int]
        let storage: FixedBuffer<Int32>
        var lastUse: UInt64

        init(bits: [Int], storage: FixedBuffer<Int32>, lastUse: UInt64) {
            self.bits = bits
            self.storage = storage
            self.lastUse = lastUse
        }
    }

    let entryElements: Int
    let capacity: Int
    private(set) var entries: [Entry] = []
    private(set) var evictions = 0
    private var clock: UInt64 = 0
    private var spare: [FixedBuffer<Int32>] = []

    init(entryElements: Int, capacity: Int) {
        self.entryElements = entryElements
        self.capacity = Swift.max(0, capacity)
    }

    var count: Int { entries.count }

    func touch(_ entry: Entry) {
        clock += 1
        entry.lastUse = clock
    }

    /// A new entry for `bits` (its storage to be filled by the caller), evicting the least
    /// recently used entry other than `keeping` when full; nil when the budget holds no entry.
    /// The caller must not read an entry it replaced: `keeping` is the one it reads from.
    func makeEntry(bits: [Int], keeping: Entry?) -> Entry? {
        guard capacity > 0 else { return nil }
        if capacity == 1, keeping != nil {
            // The only slot holds the base being read: the result cannot be kept.
            return nil
        }
        var storage: FixedBuffer<Int32>?
        if entries.count >= capacity {
            var victim = -1
            for (i, e) in entries.enumerated() where e !== keeping {
                if victim < 0 || e.lastUse < entries[victim].lastUse { victim = i }
            }
            storage = entries[victim].storage
            entries.remove(at: victim)
            evictions += 1
        } else if let reused = spare.popLast() {
            storage = reused
        }
        clock += 1
        let entry = Entry(bits: bits, storage: storage ?? FixedBuffer(count: entryElements, repeating: 0), lastUse: clock)
        entries.append(entry)
        return entry
    }

    func removeAll() {
        spare += entries.map(\.storage)
        entries.removeAll()
    }
}
