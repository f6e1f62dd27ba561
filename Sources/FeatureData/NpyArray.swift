import CHalf

/// The element types MIPareto reads and writes in `.npy` files (little-endian or byte-sized).
public enum NpyDType: String, CaseIterable, Sendable {
    case float32 = "<f4"
    case float16 = "<f2"
    case float64 = "<f8"
    case int64 = "<i8"
    case int32 = "<i4"
    case uint8 = "|u1"
    case bool = "|b1"

    public var itemSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float16: return 2
        case .float64, .int64: return 8
        case .uint8, .bool: return 1
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float16 || self == .float64 }
}

/// The values of an `.npy` array in their stored type, one contiguous array each (no boxing).
public enum NpyValues: @unchecked Sendable {
    case float32([Float])
    case float16([Float16])
    case float64([Double])
    case int64([Int64])
    case int32([Int32])
    case uint8([UInt8])
    case bool([Bool])

    public var dtype: NpyDType {
        switch self {
        case .float32: return .float32
        case .float16: return .float16
        case .float64: return .float64
        case .int64: return .int64
        case .int32: return .int32
        case .uint8: return .uint8
        case .bool: return .bool
        }
    }

    public var count: Int {
        switch self {
        case .float32(let v): return v.count
        case .float16(let v): return v.count
        case .float64(let v): return v.count
        case .int64(let v): return v.count
        case .int32(let v): return v.count
        case .uint8(let v): return v.count
        case .bool(let v): return v.count
        }
    }
}

/// An n-dimensional array as stored in a `.npy` file (C order).
public struct NpyArray: Sendable {
    public var shape: [Int]
    public var values: NpyValues

    public init(shape: [Int], values: NpyValues) {
        precondition(shape.reduce(1, *) == values.count, "npy shape \(shape) does not match \(values.count) values")
        self.shape = shape
        self.values = values
    }

    public init(_ tensor: Tensor<Float>) { self.init(shape: tensor.shape, values: .float32(tensor.values)) }
    public init(_ tensor: Tensor<Int64>) { self.init(shape: tensor.shape, values: .int64(tensor.values)) }

    public var dtype: NpyDType { values.dtype }

    /// The values as float32 (from `<f4`, `<f2` or `<f8`); any other dtype is an error naming `file`.
    public func floatTensor(file: String) throws -> Tensor<Float> {
        switch values {
        case .float32(let v): return Tensor(shape: shape, values: v)
        case .float16(let v):
            let out = [Float](unsafeUninitializedCapacity: v.count) { buffer, initialised in
                v.withUnsafeBytes { mipareto_half_to_float($0.bindMemory(to: UInt16.self).baseAddress, buffer.baseAddress, v.count) }
                initialised = v.count
            }
            return Tensor(shape: shape, values: out)
        case .float64(let v): return Tensor(shape: shape, values: v.map(Float.init))
        default:
            throw FeatureDataError(file: file, "expected floating-point values (<f4, <f2 or <f8), found dtype \(dtype.rawValue)")
        }
    }

    /// The values as int64 (from `<i8`, `<i4` or `|u1`); any other dtype is an error naming `file`.
    public func integerTensor(file: String) throws -> Tensor<Int64> {
        switch values {
        case .int64(let v): return Tensor(shape: shape, values: v)
        case .int32(let v): return Tensor(shape: shape, values: v.map(Int64.init))
        case .uint8(let v): return Tensor(shape: shape, values: v.map(Int64.init))
        default:
            throw FeatureDataError(file: file, "expected integer values (<i8, <i4 or |u1), found dtype \(dtype.rawValue)")
        }
    }
}
