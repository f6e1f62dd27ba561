import ArgumentParser
import Foundation
import Importance

/// A comma-separated list of importance measures (`--measures mi,l1,…`): known names only,
/// repeats dropped, order kept (the order breaks ties where a command compares measures).
enum MeasureList {
    static func parse(_ text: String, flag: String = "--measures") throws -> [ImportanceMeasure] {
        var out: [ImportanceMeasure] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let m = ImportanceMeasure(rawValue: name) else {
                throw ValidationError("\(flag): unknown measure \"\(name)\" (known: \(ImportanceMeasure.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if !out.contains(m) { out.append(m) }
        }
        guard !out.isEmpty else { throw ValidationError("\(flag): give at least one measure") }
        return out
    }
}
