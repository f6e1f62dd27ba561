import Foundation

/// One layer of a task head as `heads/<task>.json` describes it, with its weights loaded.
public enum LayerSpec: Sendable {
    /// Cross-correlation (PyTorch convention); weight `[out, in, kh, kw]`, bias `[out]`.
    case conv2d(weight: Tensor<Float>, bias: [Float], stride: Int, padding: Int)
    /// `y = W x + b`; weight `[out, in]`, bias `[out]`.
    case dense(weight: Tensor<Float>, bias: [Float])
    case relu
    case sigmoid
    case maxpool2d(size: Int, stride: Int)
    case avgpool2d(size: Int, stride: Int)
    /// Nearest-neighbour upsampling by an integer factor.
    case upsample2d(factor: Int)
    /// C-order flatten of `[C, H, W]` into `[C·H·W]`.
    case flatten

    public var typeName: String {
        switch self {
        case .conv2d: return "conv2d"
        case .dense: return "dense"
        case .relu: return "relu"
        case .sigmoid: return "sigmoid"
        case .maxpool2d: return "maxpool2d"
        case .avgpool2d: return "avgpool2d"
        case .upsample2d: return "upsample2d"
        case .flatten: return "flatten"
        }
    }

    /// The per-sample shape this layer produces from `input`, or a message saying why it cannot.
    public func outputShape(for input: [Int]) -> Result<[Int], LayerShapeError> {
        func fail(_ what: String) -> Result<[Int], LayerShapeError> { .failure(LayerShapeError(message: what)) }
        switch self {
        case let .conv2d(weight, bias, stride, padding):
            guard input.count == 3 else { return fail("conv2d needs a [C, H, W] input, got \(input)") }
            let w = weight.shape
            guard w.count == 4 else { return fail("conv2d weight must be [out, in, kh, kw], got \(w)") }
            guard w[1] == input[0] else { return fail("conv2d weight \(w) expects \(w[1]) input channels, the input is \(input)") }
            guard bias.count == w[0] else { return fail("conv2d bias has \(bias.count) values, the weight \(w) has \(w[0]) outputs") }
            guard stride >= 1, padding >= 0 else { return fail("conv2d needs stride ≥ 1 and padding ≥ 0") }
            let h = input[1] + 2 * padding - w[2], wd = input[2] + 2 * padding - w[3]
            guard w[2] >= 1, w[3] >= 1, h >= 0, wd >= 0 else { return fail("conv2d kernel \(w[2])×\(w[3]) is larger than the padded input \(input)") }
            return .success([w[0], h / stride + 1, wd / stride + 1])
        case let .dense(weight, bias):
            let w = weight.shape
            guard w.count == 2 else { return fail("dense weight must be [out, in], got \(w)") }
            guard input.count == 1 else { return fail("dense needs a vector input (add a flatten), got \(input)") }
            guard w[1] == input[0] else { return fail("dense weight \(w) expects \(w[1]) inputs, the input is \(input)") }
            guard bias.count == w[0] else { return fail("dense bias has \(bias.count) values, the weight \(w) has \(w[0]) outputs") }
            return .success([w[0]])
        case .relu, .sigmoid:
            return .success(input)
        case let .maxpool2d(size, stride), let .avgpool2d(size, stride):
            guard input.count == 3 else { return fail("\(typeName) needs a [C, H, W] input, got \(input)") }
            guard size >= 1, stride >= 1 else { return fail("\(typeName) needs size ≥ 1 and stride ≥ 1") }
            guard input[1] >= size, input[2] >= size else { return fail("\(typeName) window \(size) is larger than the input \(input)") }
            return .success([input[0], (input[1] - size) / stride + 1, (input[2] - size) / stride + 1])
        case let .upsample2d(factor):
            guard input.count == 3 else { return fail("upsample2d needs a [C, H, W] input, got \(input)") }
            guard factor >= 1, factor <= 1 << 12 else { return fail("upsample2d needs a factor in 1…4096, got \(factor)") }
            return .success([input[0], input[1] * factor, input[2] * factor])
        case .flatten:
            return .success([input.reduce(1, *)])
        }
    }
}

public struct LayerShapeError: Error, Sendable {
    public var message: String
}

/// A task head: the per-sample input shape and the layers, checked to chain at load.
public struct HeadDescription: Sendable {
    /// The stream the head reads (`"input"` in the head's JSON): required in a bundle of several
    /// streams, optional with one. `nil` when the JSON does not name one.
    public var input: String?
    public var inputShape: [Int]
    public var layers: [LayerSpec]
    /// `shapes[i]` is the input of layer `i`; `shapes.last` is the head's output.
    public var shapes: [[Int]]

    public var outputShape: [Int] { shapes.last ?? inputShape }

    /// The largest activation one sample may have in any layer (2^24 values, 64 MB of float32).
    public static let maximumSampleElements = 1 << 24

    /// Checks that the layers chain from `inputShape`; errors name `file`, the layer index and both shapes.
    public init(inputShape: [Int], layers: [LayerSpec], file: String) throws {
        self.inputShape = inputShape
        self.layers = layers
        var shapes = [inputShape]
        for (index, layer) in layers.enumerated() {
            switch layer.outputShape(for: shapes[index]) {
            case .success(let next):
                // Reject absurd shapes (e.g. a huge upsampling factor) before anything sizes buffers.
                var elements = 1
                for d in next {
                    let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                    guard !overflow, product <= HeadDescription.maximumSampleElements else {
                        throw FeatureDataError(file: file, "layer \(index) (\(layer.typeName)): output shape \(next) from input \(shapes[index]) is too large (more than \(HeadDescription.maximumSampleElements) values per sample)")
                    }
                    elements = product
                }
                shapes.append(next)
            case .failure(let error):
                throw FeatureDataError(file: file, "layer \(index) (\(layer.typeName)): input shape \(shapes[index]) does not chain: \(error.message)")
            }
        }
        self.shapes = shapes
    }

    /// Loads `heads/<task>.json` and every weight it names (paths relative to the bundle).
    static func load(_ relativePath: String, bundle: BundleDirectory) throws -> HeadDescription {
        let file = bundle.displayName(relativePath)
        let object = try bundle.readJSONObject(relativePath)
        guard let shapeValues = object["input_shape"] as? [Any], let inputShape = intArray(shapeValues), !inputShape.isEmpty else {
            throw FeatureDataError(file: file, "needs \"input_shape\": a list of positive integers")
        }
        guard inputShape.allSatisfy({ $0 > 0 }) else { throw FeatureDataError(file: file, "input_shape \(inputShape) has a non-positive dimension") }
        var input: String?
        if let raw = object["input"] {
            guard let name = raw as? String, !name.isEmpty else { throw FeatureDataError(file: file, "input: must be a stream's name (a non-empty string)") }
            input = name
        }
        guard let layerObjects = object["layers"] as? [Any] else { throw FeatureDataError(file: file, "needs \"layers\": a list") }
        var layers: [LayerSpec] = []
        for (index, item) in layerObjects.enumerated() {
            guard let layer = item as? [String: Any], let type = layer["type"] as? String else {
                throw FeatureDataError(file: file, "layer \(index) is not an object with a \"type\"")
            }
            func integer(_ key: String, default value: Int?) throws -> Int {
                if let raw = layer[key] {
                    guard let n = raw as? NSNumber, let i = exactInt(n) else { throw FeatureDataError(file: file, "layer \(index) (\(type)): \"\(key)\" must be an integer") }
                    return i
                }
                guard let value else { throw FeatureDataError(file: file, "layer \(index) (\(type)): \"\(key)\" is missing") }
                return value
            }
            func weights(_ outputsKey: Int) throws -> (Tensor<Float>, [Float]) {
                guard let weightPath = layer["weight"] as? String else { throw FeatureDataError(file: file, "layer \(index) (\(type)): \"weight\" is missing") }
                let weight = try bundle.readNpy(weightPath).floatTensor(file: bundle.displayName(weightPath))
                try requireFinite(weight.values, file: bundle.displayName(weightPath))
                guard weight.rank >= 1 else { throw FeatureDataError(file: bundle.displayName(weightPath), "a weight must have at least one axis") }
                var bias = [Float](repeating: 0, count: weight.shape[0])
                if let biasPath = layer["bias"] as? String {
                    let b = try bundle.readNpy(biasPath).floatTensor(file: bundle.displayName(biasPath))
                    try requireFinite(b.values, file: bundle.displayName(biasPath))
                    guard b.rank == 1 else { throw FeatureDataError(file: file, "layer \(index) (\(type)): bias \(bundle.displayName(biasPath)) has shape \(b.shape), expected [\(weight.shape[0])]") }
                    bias = b.values
                }
                return (weight, bias)
            }
            switch type {
            case "conv2d":
                let (w, b) = try weights(0)
                layers.append(.conv2d(weight: w, bias: b, stride: try integer("stride", default: 1), padding: try integer("padding", default: 0)))
            case "dense":
                let (w, b) = try weights(0)
                layers.append(.dense(weight: w, bias: b))
            case "relu": layers.append(.relu)
            case "sigmoid": layers.append(.sigmoid)
            case "flatten": layers.append(.flatten)
            case "maxpool2d", "avgpool2d":
                let size = try integer("size", default: nil)
                let stride = try integer("stride", default: size)
                if let p = layer["padding"] as? NSNumber, exactInt(p) != 0 {
                    throw FeatureDataError(file: file, "layer \(index) (\(type)): pooling has no padding in feature-bundle/1")
                }
                layers.append(type == "maxpool2d" ? .maxpool2d(size: size, stride: stride) : .avgpool2d(size: size, stride: stride))
            case "upsample2d":
                layers.append(.upsample2d(factor: try integer("factor", default: nil)))
            default:
                throw FeatureDataError(file: file, "layer \(index): unknown type \"\(type)\" (known: conv2d, dense, relu, sigmoid, maxpool2d, avgpool2d, upsample2d, flatten)")
            }
        }
        var head = try HeadDescription(inputShape: inputShape, layers: layers, file: file)
        head.input = input
        return head
    }
}

/// An integer from a JSON number, if it is one exactly.
func exactInt(_ n: NSNumber) -> Int? {
    let d = n.doubleValue
    guard d.isFinite, d == d.rounded(), abs(d) < 1e15 else { return nil }
    return Int(d)
}

func intArray(_ values: [Any]) -> [Int]? {
    var out: [Int] = []
    for v in values {
        guard let n = v as? NSNumber, let i = exactInt(n) else { return nil }
        out.append(i)
    }
    return out
}

/// Throws naming `file` when a value is NaN or infinite.
func requireFinite(_ values: [Float], file: String) throws {
    if let i = values.firstIndex(where: { !$0.isFinite }) {
        throw FeatureDataError(file: file, "value \(i) is \(values[i]) (every value must be finite)")
    }
}
