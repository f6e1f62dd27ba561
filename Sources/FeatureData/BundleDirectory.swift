import Foundation

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
    /// paths, no `..`).
    func resolve(_ relative: String) throws -> URL {
        guard !relative.isEmpty else { throw FeatureDataError(file: displayName(relative), "empty path") }
        guard !relative.hasPrefix("/") && !relative.hasPrefix("~") else {
            throw FeatureDataError(file: relative, "absolute path; paths in a bundle are relative to the bundle directory")
        }
        let components = relative.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.contains("..") else {
            throw FeatureDataError(file: displayName(relative), "path leaves the bundle directory (\"..\" is not allowed)")
        }
        return url.appendingPathComponent(relative)
    }

    func readNpy(_ relative: String) throws -> NpyArray {
        try NpyFile.read(resolve(relative), displayName: displayName(relative))
    }

    func readJSONObject(_ relative: String) throws -> [String: Any] {
        let file = displayName(relative)
        let fileURL = try resolve(relative)
        guard FileManager.default.fileExists(atPath: fileURL.path) else { throw FeatureDataError(file: file, "no such file") }
        let data: Data
        do { data = try Data(contentsOf: fileURL) } catch { throw FeatureDataError(file: file, "cannot be read") }
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: data) } catch {
            throw FeatureDataError(file: file, "not valid JSON")
        }
        guard let object = value as? [String: Any] else { throw FeatureDataError(file: file, "expected a JSON object") }
        return object
    }
}
