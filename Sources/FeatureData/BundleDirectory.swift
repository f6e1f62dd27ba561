import Basics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bundle directory: resolves the relative paths inside it, refusing any that would leave it.
struct BundleDirectory {
    var url: URL
    /// How the user named the directory, for messages.
    var name: String

    /// `name/relative`, the way errors name a file inside the bundle.
    func displayName(_ relative: String) -> String {
        name.hasSuffix("/") ? name + relative : name + "/" + relative
    }

    /// The URL of `relative`, after checking it stays inside the bundle (docs/format.md: no absolute
    /// paths, no `..`, and no symbolic link — of the file or of a folder on its way — that lands
    /// outside the bundle directory).
    func resolve(_ relative: String) throws -> URL {
        guard !relative.isEmpty else { throw FeatureDataError(file: displayName(relative), "empty path") }
        guard !relative.hasPrefix("/") && !relative.hasPrefix("~") else {
            throw FeatureDataError(file: relative, "absolute path; paths in a bundle are relative to the bundle directory")
        }
        let components = relative.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.contains("..") else {
            throw FeatureDataError(file: displayName(relative), "path leaves the bundle directory (\"..\" is not allowed)")
        }
        let candidate = url.appendingPathComponent(relative)
        // A path that does not resolve (missing file) is left to the reader, which says so.
        guard let resolved = Self.realPath(candidate.path), let root = Self.realPath(url.path) else { return candidate }
        guard resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw FeatureDataError(file: displayName(relative), "is a symbolic link (or lies in a linked folder) that leads outside the bundle directory, to \(resolved)")
        }
        return candidate
    }

    /// The path with every symbolic link resolved, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func readNpy(_ relative: String) throws -> NpyArray {
        try NpyFile.read(resolve(relative), displayName: displayName(relative))
    }

    /// A floating-point `.npy`, mapped and read in place.
    func mapFloatArray(_ relative: String) throws -> FeatureSource {
        try NpyFile.mapFloatArray(resolve(relative), displayName: displayName(relative))
    }

    func readJSONObject(_ relative: String) throws -> [String: Any] {
        let file = displayName(relative)
        let fileURL = try resolve(relative)
        let data: Data
        do { data = try InputFile.read(fileURL) } catch { throw FeatureDataError(file: file, error.reason) }
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: data) } catch {
            throw FeatureDataError(file: file, "not valid JSON")
        }
        guard let object = value as? [String: Any] else { throw FeatureDataError(file: file, "expected a JSON object") }
        return object
    }
}
