import Foundation

/// Runs a peer script (Python, in `Benchmarks/peers/`) and returns what it printed on stdout.
///
/// The interpreter is `$PEER_PYTHON`, else `Benchmarks/.venv/bin/python` (made by
/// `Benchmarks/peers/setup.sh`), else `python3`.
enum PeerRunner {
    static let benchmarksDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let repositoryDirectory: URL = benchmarksDirectory.deletingLastPathComponent()
    /// `../shared` beside the repository, where the real bundles and peer figures live.
    static let sharedDirectory: URL = repositoryDirectory.deletingLastPathComponent().appendingPathComponent("shared")

    static var python: String {
        if let p = ProcessInfo.processInfo.environment["PEER_PYTHON"], !p.isEmpty { return p }
        let venv = benchmarksDirectory.appendingPathComponent(".venv/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return "/usr/bin/env"
    }

    /// Runs `Benchmarks/peers/<script> args…`, returns stdout; stderr passes through.
    static func run(script: String, arguments: [String]) throws -> String {
        let process = Process()
        let py = python
        process.executableURL = URL(fileURLWithPath: py)
        let scriptPath = benchmarksDirectory.appendingPathComponent("peers").appendingPathComponent(script).path
        process.arguments = (py == "/usr/bin/env" ? ["python3"] : []) + [scriptPath] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PeerError(message: "peer \(script) exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a peer that prints one JSON object and decodes it.
    static func runJSON(script: String, arguments: [String]) throws -> [String: Any] {
        let text = try run(script: script, arguments: arguments)
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw PeerError(message: "peer \(script) printed no JSON object: \(text.prefix(400))") }
        return object
    }
}

struct PeerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Wall-clock timing.
enum Stopwatch {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Median of `runs` timings after `warmup` untimed calls.
    static func median(runs: Int, warmup: Int = 1, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<warmup { try body() }
        var times: [Double] = []
        for _ in 0..<runs { times.append(try seconds(body)) }
        times.sort()
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }
}

/// Prints one comparison row: ours, the peer's, and the ratio peer / ours.
func reportRatio(_ what: String, oursSeconds: Double, peerName: String, peerSeconds: Double) {
    let ratio = peerSeconds / oursSeconds
    print(String(format: "%@: MIPareto %.4f s, %@ %.4f s, ratio %.1f×", what, oursSeconds, peerName, peerSeconds, ratio))
}
