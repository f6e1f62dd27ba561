import Foundation

/// Bundles of several streams for the command-line tests, built from the embedded
/// digits-pair-mini: its feature tensor cut by channel or pooled into streams, its labels,
/// outputs and head weights copied, its heads' JSON rewritten with an `input` stream.
enum StreamBundles {
    /// A float32 C-order `.npy` array (what the embedded bundle's features are).
    struct Array4 {
        var shape: [Int]
        var values: [Float]

        static func read(_ url: URL) throws -> Array4 {
            let data = try Data(contentsOf: url)
            let headerLength = Int(data[8]) | Int(data[9]) << 8
            let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
            guard header.contains("'<f4'"), let open = header.range(of: "'shape': ("), let close = header.range(of: ")", range: open.upperBound..<header.endIndex) else {
                throw CocoaError(.fileReadCorruptFile)
            }
            let shape = header[open.upperBound..<close.lowerBound].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            let body = data[(10 + headerLength)...]
            var values = [Float](repeating: 0, count: body.count / 4)
            _ = values.withUnsafeMutableBufferPointer { body.copyBytes(to: $0) }
            return Array4(shape: shape, values: values)
        }

        func write(_ url: URL) throws {
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
            header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
            var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
            data.append(contentsOf: Array(header.utf8))
            values.withUnsafeBytes { data.append(contentsOf: $0) }
            try data.write(to: url)
        }

        /// Channels `range` of `[N, C, H, W]`.
        func channels(_ range: Range<Int>) -> Array4 {
            let n = shape[0], c = shape[1], hw = shape[2] * shape[3]
            var out: [Float] = []
            for s in 0..<n { out += values[((s * c + range.lowerBound) * hw)..<((s * c + range.upperBound) * hw)] }
            return Array4(shape: [n, range.count, shape[2], shape[3]], values: out)
        }

        /// Channels `range` of `[N, C, H, W]` averaged over 2×2 windows: `[N, |range|, H/2, W/2]`.
        func pooled(_ range: Range<Int>) -> Array4 {
            let n = shape[0], c = shape[1], h = shape[2], w = shape[3]
            var out: [Float] = []
            for s in 0..<n {
                for ch in range {
                    let base = (s * c + ch) * h * w
                    for y in stride(from: 0, to: h, by: 2) {
                        for x in stride(from: 0, to: w, by: 2) {
                            out.append((values[base + y * w + x] + values[base + y * w + x + 1] + values[base + (y + 1) * w + x] + values[base + (y + 1) * w + x + 1]) / 4)
                        }
                    }
                }
            }
            return Array4(shape: [n, range.count, h / 2, w / 2], values: out)
        }
    }

    /// A stream: its name and how to make its tensor from the embedded features.
    struct Stream {
        var name: String
        var make: (Array4) -> Array4
    }

    /// Writes a bundle of `streams` in a fresh folder; the embedded bundle's tasks keep their
    /// labels and outputs; `heads[task]` names the stream a task's head reads (a task not in it
    /// has no head).
    static func make(_ streams: [Stream], heads: [String: String], name: String = "mini-streams") throws -> URL {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("mipareto-\(name)-\(UUID().uuidString)")
        let mini = CLI.mini
        for split in ["fit", "eval"] {
            let dir = root.appendingPathComponent(split)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            let features = try Array4.read(mini.appendingPathComponent("\(split)/features.npy"))
            for stream in streams { try stream.make(features).write(dir.appendingPathComponent("\(stream.name).npy")) }
            for file in try fm.contentsOfDirectory(atPath: mini.appendingPathComponent(split).path) where file != "features.npy" {
                try fm.copyItem(at: mini.appendingPathComponent("\(split)/\(file)"), to: dir.appendingPathComponent(file))
            }
        }
        // Weights stay where the embedded heads' JSON names them (heads/…); the JSON goes to with-input/.
        // Copies, not links: a reader may refuse a link that leads out of the bundle.
        try fm.copyItem(at: mini.appendingPathComponent("heads"), to: root.appendingPathComponent("heads"))
        try fm.createDirectory(at: root.appendingPathComponent("with-input"), withIntermediateDirectories: true)
        var manifest = try CLI.json(String(decoding: try Data(contentsOf: mini.appendingPathComponent("bundle.json")), as: UTF8.self))
        manifest["name"] = name
        manifest["features"] = nil
        manifest["streams"] = streams.map { ["name": $0.name, "fit": "fit/\($0.name).npy", "eval": "eval/\($0.name).npy"] }
        var tasks = manifest["tasks"] as! [[String: Any]]
        for t in tasks.indices {
            let task = tasks[t]["name"] as! String
            let headPath = tasks[t]["head"] as! String
            tasks[t]["head"] = nil
            guard let input = heads[task] else { continue }
            var head = try CLI.json(String(decoding: try Data(contentsOf: mini.appendingPathComponent(headPath)), as: UTF8.self))
            head["input"] = input
            try JSONSerialization.data(withJSONObject: head).write(to: root.appendingPathComponent("with-input/\(task).json"))
            tasks[t]["head"] = "with-input/\(task).json"
        }
        manifest["tasks"] = tasks
        try JSONSerialization.data(withJSONObject: manifest).write(to: root.appendingPathComponent("bundle.json"))
        return root
    }
}
