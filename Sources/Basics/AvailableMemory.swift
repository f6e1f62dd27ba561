import Foundation

/// What the kernel says a new allocation can still get (`MemAvailable` of `/proc/meminfo`, plus
/// free swap): checked before the large optional copies, so a shortage is an error naming the
/// size instead of an allocation failure or the OOM killer. Nil where the figure is unknown.
public enum AvailableMemory {
    public static var bytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        var fields: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kib = Int(parts[1]) else { continue }
            fields[String(parts[0].dropLast())] = kib * 1024
        }
        guard let available = fields["MemAvailable"] else { return nil }
        return available + (fields["SwapFree"] ?? 0)
    }

    /// `1.9 GiB`, `350 MiB`: sizes as people read them.
    public static func describe(_ bytes: Int) -> String {
        let gib = Double(bytes) / Double(1 << 30)
        return gib >= 1 ? String(format: "%.1f GiB", gib) : String(format: "%.0f MiB", Double(bytes) / Double(1 << 20))
    }
}
