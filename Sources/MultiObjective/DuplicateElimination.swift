import Foundation

/// A set of decision vectors with exact equality (−0 equals +0), for duplicate elimination.
///
/// pymoo drops an offspring whose variables lie within 1e-16 of an existing individual's: for
/// doubles that is equality. A hash table over flat storage finds them in O(n) per generation
/// instead of comparing every pair.
struct DecisionVectorSet {
    let width: Int
    private var rows: [Double] = []
    private var table: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(width: Int, capacity: Int) {
        self.width = width
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        table = Array(repeating: -1, count: size)
        mask = size - 1
        rows.reserveCapacity(capacity * width)
    }

    mutating func removeAll() {
        for i in table.indices { table[i] = -1 }
        rows.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Four independent multiply–xor lanes (so the CPU overlaps them), then a final mix.
    @inline(__always) private func hash(_ x: UnsafePointer<Double>) -> Int {
        var h0: UInt64 = 0x9E37_79B9_7F4A_7C15, h1: UInt64 = 0xBF58_476D_1CE4_E5B9
        var h2: UInt64 = 0x94D0_49BB_1331_11EB, h3: UInt64 = 0xD1B5_4A32_D192_ED03
        var i = 0
        while i + 4 <= width {
            h0 = (h0 ^ (x[i] + 0.0).bitPattern) &* 0xFF51_AFD7_ED55_8CCD
            h1 = (h1 ^ (x[i + 1] + 0.0).bitPattern) &* 0xC4CE_B9FE_1A85_EC53
            h2 = (h2 ^ (x[i + 2] + 0.0).bitPattern) &* 0xFF51_AFD7_ED55_8CCD
            h3 = (h3 ^ (x[i + 3] + 0.0).bitPattern) &* 0xC4CE_B9FE_1A85_EC53
            i += 4
        }
        while i < width { h0 = (h0 ^ (x[i] + 0.0).bitPattern) &* 0xFF51_AFD7_ED55_8CCD; i += 1 }
        var h = h0 ^ (h1 >> 17) ^ (h2 << 7) ^ (h3 >> 31)
        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    func contains(_ x: UnsafePointer<Double>) -> Bool { slot(of: x).found }

    /// Adds `x`; returns false (and adds nothing) if an equal vector is already present.
    @discardableResult
    mutating func insert(_ x: UnsafePointer<Double>) -> Bool {
        let (slot, found) = self.slot(of: x)
        if found { return false }
        if 2 * (count + 1) > table.count { grow(); return insert(x) }
        table[slot] = Int32(count)
        rows.append(contentsOf: UnsafeBufferPointer(start: x, count: width))
        count += 1
        return true
    }

    private func slot(of x: UnsafePointer<Double>) -> (slot: Int, found: Bool) {
        var s = hash(x) & mask
        return rows.withUnsafeBufferPointer { r in
            table.withUnsafeBufferPointer { t in
                while true {
                    let e = Int(t[s])
                    if e < 0 { return (s, false) }
                    var equal = true
                    for i in 0..<width where r[e * width + i] != x[i] { equal = false; break }
                    if equal { return (s, true) }
                    s = (s + 1) & mask
                }
            }
        }
    }

    private mutating func grow() {
        let old = rows
        let n = count
        table = Array(repeating: -1, count: table.count * 2)
        mask = table.count - 1
        rows.removeAll(keepingCapacity: true)
        count = 0
        old.withUnsafeBufferPointer { o in for k in 0..<n { insert(o.baseAddress! + k * width) } }
    }
}
