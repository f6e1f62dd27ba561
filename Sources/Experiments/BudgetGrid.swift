import Basics

/// Rate budgets of a sweep, in bits per element: `a:step:b` (inclusive, `a + i·step` up to `b`
/// within 1e-9) or a comma-separated list.
public enum BudgetGrid {
    /// More budgets than this is a typo, not a sweep.
    public static let largest = 100_000

    /// The default sweep, `0.25:0.25:maxBits`.
    public static func defaultSweep(maxBits: Int) -> [Double] {
        (1...(4 * maxBits)).map { Double($0) * 0.25 }
    }

    public static func parse(_ text: String) throws(ParameterError) -> [Double] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.contains(":") {
            let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 3, let a = parts[0], let step = parts[1], let b = parts[2], a.isFinite, step.isFinite, b.isFinite else {
                throw ParameterError("budgets", "\"\(text)\" is not a:step:b (e.g. 0.25:0.25:8) or a list (1,2,4)")
            }
            guard step > 0 else { throw ParameterError("budgets", value: text, "the step must be positive") }
            guard b >= a else { throw ParameterError("budgets", value: text, "empty (the end is below the start)") }
            guard (b - a) / step < Double(largest) else { throw ParameterError("budgets", value: text, "more than \(largest) budgets") }
            var values: [Double] = []
            var i = 0
            while true {
                let v = a + Double(i) * step
                if v > b + 1e-9 * Swift.max(1, abs(b)) { break }
                values.append(Swift.min(v, b))
                i += 1
                if values.count > largest { throw ParameterError("budgets", value: text, "more than \(largest) budgets") }
            }
            return values
        }
        var values: [Double] = []
        for item in trimmed.split(separator: ",") {
            let s = item.trimmingCharacters(in: .whitespaces)
            if s.isEmpty { continue }
            guard let v = Double(s), v.isFinite else { throw ParameterError("budgets", "\"\(s)\" is not a number") }
            values.append(v)
        }
        guard !values.isEmpty else { throw ParameterError("budgets", "empty; give a:step:b (e.g. 0.25:0.25:8) or a list (1,2,4)") }
        return values
    }

    static func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}
