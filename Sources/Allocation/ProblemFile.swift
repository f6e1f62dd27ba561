import Basics
import Foundation

/// Reading `PROBLEM.json` (docs/architecture.md, `mipareto solve`):
/// `{"maxRate": R, "sizes": [S_c], "costs": [[…]], "constraints": [{"costs": [[…]], "max": v}]}`.
extension AllocationProblem {
    /// Parses and validates a problem file's contents; errors name the key that is wrong.
    public init(json data: Data) throws(AllocationInputError) {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw AllocationInputError("not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "parse error"))")
        }
        guard let object = root as? [String: Any] else { throw AllocationInputError("the top level must be a JSON object") }
        let known: Set<String> = ["maxRate", "sizes", "costs", "constraints"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw AllocationInputError("unknown key \"\(unknown)\" (expected maxRate, sizes, costs, constraints)")
        }
        guard let rateValue = object["maxRate"] else { throw AllocationInputError("missing \"maxRate\" (the rate limit in bits)") }
        let maxRate = try Self.number(rateValue, at: "maxRate")
        guard let sizesValue = object["sizes"] as? [Any] else { throw AllocationInputError("missing or not an array: \"sizes\"") }
        var sizes: [Int] = []
        sizes.reserveCapacity(sizesValue.count)
        for (c, value) in sizesValue.enumerated() {
            let x = try Self.number(value, at: "sizes[\(c)]")
            guard x == x.rounded(), abs(x) <= 1e15 else {
                throw AllocationInputError("sizes[\(c)] = \(x): sizes count elements and must be whole numbers")
            }
            sizes.append(Int(x))
        }
        guard let costsValue = object["costs"] else { throw AllocationInputError("missing \"costs\"") }
        let costs = try Self.table(costsValue, at: "costs")
        var constraints: [Constraint] = []
        if let rowsValue = object["constraints"] {
            guard let rows = rowsValue as? [Any] else { throw AllocationInputError("\"constraints\" must be an array") }
            for (i, rowValue) in rows.enumerated() {
                guard let row = rowValue as? [String: Any] else {
                    throw AllocationInputError("constraints[\(i)] must be an object {\"costs\": [[…]], \"max\": v}")
                }
                if let unknown = row.keys.sorted().first(where: { $0 != "costs" && $0 != "max" }) {
                    throw AllocationInputError("constraints[\(i)]: unknown key \"\(unknown)\" (expected costs, max)")
                }
                guard let rowCosts = row["costs"], let rowMax = row["max"] else {
                    throw AllocationInputError("constraints[\(i)] needs both \"costs\" and \"max\"")
                }
                constraints.append(Constraint(
                    costs: try Self.table(rowCosts, at: "constraints[\(i)].costs"),
                    max: try Self.number(rowMax, at: "constraints[\(i)].max")))
            }
        }
        try self.init(sizes: sizes, costs: costs, maxRate: maxRate, constraints: constraints)
    }

    /// Reads a problem file; the message of a failure starts with the path.
    public init(contentsOf url: URL) throws(AllocationInputError) {
        let data: Data
        do { data = try InputFile.read(url) } catch { throw AllocationInputError("\(url.path): \(error.reason)") }
        do { try self.init(json: data) } catch { throw AllocationInputError("\(url.path): \(error.message)") }
    }

    private static func number(_ value: Any, at key: String) throws(AllocationInputError) -> Double {
        guard let n = value as? NSNumber else {
            throw AllocationInputError("\(key) must be a number")
        }
        let x = n.doubleValue
        guard x.isFinite else { throw AllocationInputError("\(key) = \(x): must be finite") }
        return x
    }

    private static func table(_ value: Any, at key: String) throws(AllocationInputError) -> [[Double]] {
        guard let rows = value as? [Any] else { throw AllocationInputError("\(key) must be an array of rows, one per channel") }
        var table: [[Double]] = []
        table.reserveCapacity(rows.count)
        for (c, rowValue) in rows.enumerated() {
            guard let row = rowValue as? [Any] else { throw AllocationInputError("\(key)[\(c)] must be an array (cost at b = 0…B)") }
            var out: [Double] = []
            out.reserveCapacity(row.count)
            for (b, x) in row.enumerated() { out.append(try number(x, at: "\(key)[\(c)][\(b)]")) }
            table.append(out)
        }
        return table
    }
}
