import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A local Ray cluster started once before anything is timed (its start-up is excluded): a Python
/// driver runs `ray.init(num_cpus:)`, prints the cluster's address and shuts the cluster down when
/// its stdin closes (`stop()`, or this process exiting), so no broad `ray stop` is ever needed.
/// Evaluators join it with `--ray-address`.
final class RayCluster {
    let address: String
    private let process: Process
    private let input: Pipe

    static let driver = """
    import sys, threading, ray
    ray.init(num_cpus=int(sys.argv[1]), include_dashboard=False, logging_level="warning")
    print(ray.get_runtime_context().gcs_address, flush=True)
    reader = threading.Thread(target=sys.stdin.read, daemon=True)
    reader.start()
    reader.join()
    ray.shutdown()
    """

    init(cpus: Int) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.driver, String(cpus)]
        // A local cluster for this benchmark only: no token authentication (the evaluators MIPareto
        // starts are not children of this driver and would not get its token).
        process.environment = ProcessInfo.processInfo.environment.merging(["RAY_AUTH_MODE": "disabled"]) { $1 }
        input = Pipe()
        let output = Pipe()
        // Only this process holds the write end: its exit is the driver's EOF.
        _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        address = text.split(separator: "\n").first.map(String.init) ?? ""
        guard address.contains(":") else {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            throw PeerError(message: "the Ray driver printed no address (is ray installed for python3?): \(text)")
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// `uptime`'s load averages, printed beside the figures (the machine is shared).
    static func load() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { "load average " + $0.split(separator: " ").prefix(3).joined(separator: ", ") } ?? "load average unknown"
    }
}
