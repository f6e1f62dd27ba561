/// A fixed-size buffer owned by a class: hot loops take its pointer once and never touch Swift
/// arrays (no retain/release, no uniqueness checks, no bounds checks).
final class FixedBuffer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int, repeating value: Element) {
        self.count = count
        pointer = .allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: value, count: Swift.max(count, 1))
    }

    init(copying values: [Element]) {
        count = values.count
        pointer = .allocate(capacity: Swift.max(count, 1))
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.initialize(from: base, count: count) }
        }
    }

    deinit { pointer.deallocate() }
}
