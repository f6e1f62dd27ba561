import Foundation
import Testing

/// Runs the built `mipareto` binary as a user would.
enum CLI {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mini = repository.appendingPathComponent("examples/data/digits-pair-mini")

    /// The binary next to the test bundle (same build configuration), else in .build/<config>/.
    static let binary: URL? = {
        var candidates: [URL] = []
        if let argument = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: argument).deletingLastPathComponent().appendingPathComponent("mipareto"))
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("mipareto"))
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("mipareto"))
        for configuration in ["release", "debug"] {
            candidates.append(repository.appendingPathComponent(".build/\(configuration)/mipareto"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// stdout as a JSON object, when it is one.
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] }
    }

    static func run(_ arguments: [String]) throws -> Result {
        let executable = try #require(binary, "mipareto binary not found next to the tests or in .build/")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting: a full pipe would block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// stdout of `sh -c command`.
    static func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func reference() throws -> [String: Any] {
        try json(String(decoding: try Data(contentsOf: mini.appendingPathComponent("reference.json")), as: UTF8.self))
    }
}

@Suite("command line: inspect and evaluate")
struct CLITests {
    @Test("evaluate --bits 3 --json equals reference.json (uniform 3 bits, eval)")
    func evaluateMatchesReference() throws {
        let result = try CLI.run(["evaluate", CLI.mini.path, "--bits", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try CLI.json(result.stdout)
        let uniform = try #require((try CLI.reference())["uniform_quantisation_eval"] as? [String: Any])
        let expected = try #require(uniform["tasks"] as? [String: [String: [String: Any]]])
        let metrics = try #require(document["metrics"] as? [String: Double])
        let details = try #require(document["details"] as? [String: [String: Double]])
        #expect(document["bits"] as? [Int] == [Int](repeating: 3, count: 32))
        let rate = try #require(document["rate"] as? [String: Double])
        #expect(rate["bitsPerSample"] == Double(3 * 32 * 32))
        #expect(rate["bpe"] == Double(3))
        #expect(rate["entropyBitsPerSample"] != nil)
        for task in ["left", "right", "sum_ge_10"] {
            let reference = try #require(expected[task]?["3"])
            #expect(metrics[task] == reference["accuracy"] as? Double, "\(task)")
            #expect(details[task]?["correct"] == (reference["correct"] as? Int).map(Double.init), "\(task)")
        }
        let psnr = try #require(expected["recon"]?["3"]?["psnr"] as? Double)
        #expect(abs(try #require(metrics["recon"]) - psnr) < 1e-3)
    }

    @Test("inspect --json: the keys of DESIGN.md and the clean reference numbers")
    func inspectMatchesReference() throws {
        let result = try CLI.run(["inspect", CLI.mini.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try CLI.json(result.stdout)
        #expect(document["name"] as? String == "digits-pair-mini")
        #expect(document["channels"] as? Int == 32)
        #expect(document["channelShape"] as? [Int] == [32, 4, 8])
        #expect(document["samples"] as? [String: Int] == ["fit": 1000, "eval": 400])
        try Self.expectCleanMatchesReference(document)
    }

    /// `inspect --json`'s clean metrics equal reference.json's (accuracies exactly, PSNR to 1e-3 dB).
    static func expectCleanMatchesReference(_ document: [String: Any]) throws {
        let clean = try #require((try CLI.reference())["clean"] as? [String: [String: [String: Any]]])
        let tasks = try #require(document["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["name"] as? String } == ["left", "right", "sum_ge_10", "recon"])
        for task in tasks {
            let name = try #require(task["name"] as? String)
            let values = try #require(task["clean"] as? [String: Double])
            let metric = try #require(task["metric"] as? String)
            for split in ["fit", "eval"] {
                let expected = try #require(clean[name]?[split]?[metric] as? Double)
                if metric == "psnr" { #expect(abs(values[split]! - expected) < 1e-3) } else { #expect(values[split] == expected, "\(name) \(split)") }
            }
        }
    }

    @Test("human output: a readable table; --split report scores the odd eval samples")
    func humanOutput() throws {
        let result = try CLI.run(["evaluate", CLI.mini.path, "--bits", "4", "--split", "report"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("split report (200 samples), 4 bits on every channel"))
        #expect(result.stdout.contains("sum_ge_10"))
        let inspect = try CLI.run(["inspect", CLI.mini.path])
        #expect(inspect.stdout.contains("clean metrics"))
    }

    @Test("an allocation file is read; its bits are reported")
    func allocationFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-alloc-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let bits = (0..<32).map { $0 % 9 }
        try Data("{\"bits\": \(bits), \"note\": \"extra keys are fine\"}".utf8).write(to: file)
        let result = try CLI.run(["evaluate", CLI.mini.path, "--allocation", file.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try CLI.json(result.stdout)["bits"] as? [Int] == bits)
    }
}

/// A copy of the mini bundle in a temporary directory, to break one file at a time.
struct BrokenBundle {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-broken-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: CLI.mini, to: root)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    func bytes(_ relative: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(relative))) }

    func write(_ relative: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: url(relative)) }

    /// Replaces `old` by `new` (same length) in the header of an .npy file.
    func editHeader(_ relative: String, _ old: String, _ new: String) throws {
        precondition(old.utf8.count == new.utf8.count)
        var data = Data(try bytes(relative))
        let range = try #require(data.range(of: Data(old.utf8), in: 0..<128))
        data.replaceSubrange(range, with: Data(new.utf8))
        try write(relative, [UInt8](data))
    }

    /// Sets float32 element `index` of an .npy file whose data starts at byte 128.
    func setFloat(_ relative: String, index: Int, _ value: Float) throws {
        var data = try bytes(relative)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { data.replaceSubrange((128 + 4 * index)..<(128 + 4 * index + 4), with: $0) }
        try write(relative, data)
    }

    func setInt64(_ relative: String, index: Int, _ value: Int64) throws {
        var data = try bytes(relative)
        withUnsafeBytes(of: value.littleEndian) { data.replaceSubrange((128 + 8 * index)..<(128 + 8 * index + 8), with: $0) }
        try write(relative, data)
    }

    /// A fresh float32 .npy of zeros with `shape`, header written by hand.
    func writeZeros(_ relative: String, shape: [Int], descr: String = "<f4", itemSize: Int = 4) throws {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let n = header.utf8.count
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8)
            + [UInt8](repeating: 0, count: shape.reduce(1, *) * itemSize)
        try write(relative, bytes)
    }
}

@Suite("command line: bad input gives `error: <file>: <what>` and a non-zero exit")
struct BadInputTests {
    /// Breaks a fresh copy of the bundle, runs `evaluate --bits 3`, and checks the error line.
    func expectError(file: String, containing what: String, arguments: [String] = ["--bits", "3"], _ breakIt: (BrokenBundle) throws -> Void) throws {
        let bundle = try BrokenBundle()
        defer { bundle.remove() }
        try breakIt(bundle)
        let result = try CLI.run(["evaluate", bundle.root.path] + arguments)
        #expect(result.status == 2, "exit status \(result.status) for \(what); stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        let expectedPrefix = "error: \(file.isEmpty ? bundle.root.path : bundle.root.path + "/" + file): "
        #expect(result.stderr.hasPrefix(expectedPrefix), "stderr: \(result.stderr)")
        #expect(result.stderr.contains(what), "stderr: \(result.stderr)")
    }

    @Test("truncated .npy") func truncated() throws {
        try expectError(file: "eval/features.npy", containing: "truncated") { b in
            try b.write("eval/features.npy", Array(try b.bytes("eval/features.npy").prefix(5000)))
        }
    }

    @Test("garbage magic") func garbage() throws {
        try expectError(file: "fit/labels_left.npy", containing: "not an .npy file") { b in
            try b.write("fit/labels_left.npy", Array("this is not numpy at all".utf8))
        }
    }

    @Test("unsupported dtype") func dtype() throws {
        try expectError(file: "eval/labels_right.npy", containing: "unsupported dtype '<c8'") { b in
            try b.writeZeros("eval/labels_right.npy", shape: [400], descr: "<c8", itemSize: 8)
        }
    }

    @Test("Fortran order") func fortran() throws {
        try expectError(file: "fit/features.npy", containing: "Fortran") { b in
            try b.editHeader("fit/features.npy", "'fortran_order': False,", "'fortran_order': True, ")
        }
    }

    @Test("header shape larger than the file") func headerTooLarge() throws {
        try expectError(file: "eval/labels_left.npy", containing: "needs 7200 bytes of data, the file has 3200") { b in
            try b.editHeader("eval/labels_left.npy", "(400,)", "(900,)")
        }
    }

    @Test("NaN feature names the channel") func nan() throws {
        // Element 3·32·4·8 + 5·32 + 7 is sample 3, channel 5.
        try expectError(file: "eval/features.npy", containing: "NaN in channel 5 (sample 3)") { b in
            try b.setFloat("eval/features.npy", index: 3 * 1024 + 5 * 32 + 7, .nan)
        }
    }

    @Test("infinite feature") func infinity() throws {
        try expectError(file: "fit/features.npy", containing: "+Inf in channel 0 (sample 0)") { b in
            try b.setFloat("fit/features.npy", index: 2, .infinity)
        }
    }

    @Test("label out of range") func labelRange() throws {
        try expectError(file: "eval/labels_left.npy", containing: "value 10 at index 17 is outside 0…9") { b in
            try b.setInt64("eval/labels_left.npy", index: 17, 10)
        }
    }

    @Test("negative label in a classification task") func negativeLabel() throws {
        try expectError(file: "fit/labels_sum_ge_10.npy", containing: "value -1 at index 0 is outside 0…1") { b in
            try b.setInt64("fit/labels_sum_ge_10.npy", index: 0, -1)
        }
    }

    @Test("head weight that does not chain: layer index and both shapes") func chain() throws {
        try expectError(file: "heads/left.json", containing: "layer 3 (dense): input shape [512] does not chain: dense weight [64, 256] expects 256 inputs") { b in
            try b.writeZeros("heads/left_3_w.npy", shape: [64, 256])
        }
    }

    @Test("conv weight whose input channels disagree with the features") func convChain() throws {
        try expectError(file: "heads/recon.json", containing: "layer 0 (conv2d): input shape [32, 4, 8] does not chain") { b in
            try b.writeZeros("heads/recon_0_w.npy", shape: [16, 31, 3, 3])
        }
    }

    @Test("a path with ..") func dotDot() throws {
        try expectError(file: "../fit/features.npy", containing: "leaves the bundle directory") { b in
            var text = String(decoding: try b.bytes("bundle.json"), as: UTF8.self)
            text = text.replacingOccurrences(of: "\"fit\": \"fit/features.npy\"", with: "\"fit\": \"../fit/features.npy\"")
            try b.write("bundle.json", Array(text.utf8))
        }
    }

    @Test("a missing file") func missing() throws {
        try expectError(file: "eval/outputs_right.npy", containing: "no such file") { b in
            try FileManager.default.removeItem(at: b.url("eval/outputs_right.npy"))
        }
    }

    @Test("a missing bundle directory") func missingBundle() throws {
        let result = try CLI.run(["inspect", "/nonexistent/bundle"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: /nonexistent/bundle: no such bundle directory"))
    }

    @Test("allocation with the wrong length, or a depth outside 0…16") func allocation() throws {
        for (bits, what) in [("[3, 3]", "2 bit depths for 32 channels"),
                             (String(describing: [Int](repeating: 2, count: 31) + [17]), "bit depth 17 for channel 31 is outside 0…16"),
                             (String(describing: [-1] + [Int](repeating: 2, count: 31)), "bit depth -1 for channel 0 is outside 0…16")] {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("mipareto-alloc-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: file) }
            try Data("{\"bits\": \(bits)}".utf8).write(to: file)
            let result = try CLI.run(["evaluate", CLI.mini.path, "--allocation", file.path])
            #expect(result.status == 2)
            #expect(result.stderr == "error: \(file.path): \(what)\n", "stderr: \(result.stderr)")
        }
    }

    @Test("--bits outside 0…16 and a bad --split are flag errors") func flags() throws {
        let bits = try CLI.run(["evaluate", CLI.mini.path, "--bits", "17"])
        #expect(bits.status == 2)
        #expect(bits.stderr.hasPrefix("error: --bits: 17 is outside 0…16"))
        let split = try CLI.run(["evaluate", CLI.mini.path, "--bits", "2", "--split", "test"])
        #expect(split.status == 2)
        #expect(split.stderr.hasPrefix("error: The value 'test' is invalid for '--split <split>'") && split.stderr.contains("'report'"), "\(split.stderr)")
        let neither = try CLI.run(["evaluate", CLI.mini.path])
        #expect(neither.status == 2)
        #expect(neither.stderr.hasPrefix("error: give exactly one of --bits B and --allocation FILE"))
    }
}
