import Basics

/// A per-task list of numbers as the command line writes it: `left=2,right=1` (`--weights`,
/// `--epsilon`). Parsing checks only the syntax; the meaning (known task names, signs) is checked
/// by whoever uses the values, against the bundle's tasks.
public struct TaskValues: Sendable, Equatable {
    public var entries: [(task: String, value: Double)]

    public init(_ entries: [(task: String, value: Double)]) { self.entries = entries }

    public static func == (lhs: TaskValues, rhs: TaskValues) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.task == $1.task && $0.value == $1.value }
    }

    /// Parses `task=value,task=value,…`; `parameter` (e.g. `weights`) is named in errors.
    public static func parse(_ text: String, parameter: String) throws(ParameterError) -> TaskValues {
        var entries: [(task: String, value: Double)] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingSpaces
            guard parts.count == 2, !name.isEmpty else {
                throw ParameterError(parameter, value: text, "\"\(item)\" is not task=value (e.g. \(ParameterError.mention(parameter)) left=2,right=1)")
            }
            let valueText = parts[1].trimmingSpaces
            guard let value = Double(valueText) else {
                throw ParameterError(parameter, value: text, "\"\(valueText)\" (task \(name)) is not a number")
            }
            guard value.isFinite else { throw ParameterError(parameter, value: text, "the value of task \(name) must be finite") }
            guard !entries.contains(where: { $0.task == name }) else {
                throw ParameterError(parameter, value: text, "task \(name) is named twice")
            }
            entries.append((name, value))
        }
        return TaskValues(entries)
    }

    /// The value of every task of `taskNames` (`nil` for tasks not named); throws when an entry
    /// names a task the bundle does not have.
    public func values(for taskNames: [String], parameter: String) throws(ParameterError) -> [Double?] {
        for entry in entries where !taskNames.contains(entry.task) {
            throw ParameterError(parameter, "unknown task \"\(entry.task)\" (the bundle's tasks: \(taskNames.joined(separator: ", ")))")
        }
        return taskNames.map { name in entries.first { $0.task == name }?.value }
    }

    /// One weight per task of `taskNames` (`unnamed` for tasks not named): unknown tasks,
    /// negative weights and all-zero weights are errors.
    public func weights(for taskNames: [String], parameter: String, unnamed: Double) throws(ParameterError) -> [Double] {
        let named = try values(for: taskNames, parameter: parameter)
        for entry in entries where entry.value < 0 {
            throw ParameterError(parameter, "the weight of task \(entry.task) is \(Self.format(entry.value)); weights must not be negative")
        }
        let weights = named.map { $0 ?? unnamed }
        guard weights.contains(where: { $0 > 0 }) else {
            throw ParameterError(parameter, value: text, "every weight is 0; give at least one task a positive weight")
        }
        return weights
    }

    /// `left=2,right=1`, the form `parse` reads.
    public var text: String {
        entries.map { "\($0.task)=\(Self.format($0.value))" }.joined(separator: ",")
    }

    /// A number as a user would type it: `2`, `0.25`, `nan`.
    public static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
