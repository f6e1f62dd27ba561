import Dispatch

/// Runs `body(i)` for i in 0..<count on all cores, one independent item per call.
///
/// Results must only depend on `i` (each item draws its own seeded stream), so the answer is the
/// same whatever the number of threads. Callers write results into their own slot of a
/// preallocated buffer.
public enum ParallelFor {
    public static func run(_ count: Int, _ body: @Sendable (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    /// Computes one value per index in parallel, returned in index order.
    public static func map<T>(_ count: Int, initial: T, _ body: @Sendable (Int) -> T) -> [T] {
        var out = [T](repeating: initial, count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            let slots = UnsafeSlots(base: buffer.baseAddress)
            run(count) { i in slots.base![i] = body(i) }
        }
        return out
    }
}

/// A pointer handed to concurrent workers that each write a distinct index.
public struct UnsafeSlots<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>?
    public init(base: UnsafeMutablePointer<T>?) { self.base = base }
}
