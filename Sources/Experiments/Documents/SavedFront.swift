import Basics
import Foundation
import Reporting

/// What `report` needs from a `front` output folder.
public struct SavedFront {
    public var table: FrontTable
    public var clean: [String: Double] = [:]
    public var metricNames: [String: String] = [:]
    public var bundle: String?

    public init(directory: String) throws {
        let dir = URL(fileURLWithPath: directory)
        let csvURL = dir.appendingPathComponent("front.csv")
        guard let csvData = try ExperimentError.readIfPresent(csvURL) else {
            throw ExperimentError.invalidData("\(csvURL.path): missing (is \(directory) a `mipareto front` output folder?)")
        }
        table = try FrontTable(csvText: String(decoding: csvData, as: UTF8.self), source: csvURL.path)
        let summaryURL = dir.appendingPathComponent("summary.json")
        if let data = try ExperimentError.readIfPresent(summaryURL) {
            guard let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ExperimentError.invalidData("\(summaryURL.path): not a JSON object")
            }
            for (task, value) in summary["clean"] as? [String: Any] ?? [:] {
                if let v = value as? Double { clean[task] = v } else if let v = value as? Int { clean[task] = Double(v) }
            }
            metricNames = summary["metricNames"] as? [String: String] ?? [:]
            bundle = summary["bundle"] as? String
        }
    }
}
