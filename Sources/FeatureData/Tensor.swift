/// A dense C-order array: a shape and its values in one contiguous buffer.
public struct Tensor<Element>: @unchecked Sendable {
    public var shape: [Int]
    public var values: [Element]

    /// `values.count` must equal the product of `shape` (checked with a precondition: a
    /// programming error, never user data — user data goes through `NpyFile`, which validates).
    public init(shape: [Int], values: [Element]) {
        precondition(shape.reduce(1, *) == values.count, "tensor shape \(shape) does not match \(values.count) values")
        self.shape = shape
        self.values = values
    }

    public var rank: Int { shape.count }
    public var count: Int { values.count }
    /// The number of samples (axis 0); 1 for a scalar.
    public var samples: Int { shape.first ?? 1 }
    /// The shape of one sample (everything after axis 0).
    public var sampleShape: [Int] { Array(shape.dropFirst()) }
    /// Elements per sample.
    public var sampleSize: Int { shape.dropFirst().reduce(1, *) }

    /// The samples at `indices` (axis 0), copied into a new contiguous tensor.
    public func selectingSamples(_ indices: [Int]) -> Tensor {
        let size = sampleSize
        var out: [Element] = []
        out.reserveCapacity(indices.count * size)
        values.withUnsafeBufferPointer { source in
            for i in indices { out.append(contentsOf: source[(i * size)..<((i + 1) * size)]) }
        }
        return Tensor(shape: [indices.count] + sampleShape, values: out)
    }
}
