/// A command line typed as one string (`--evaluator 'python3 my_eval.py --device cuda'`) split
/// into words the way a POSIX shell splits them — spaces separate words, single quotes keep
/// everything literal, double quotes keep spaces (backslash escapes `"`, `\`, `$` and `` ` ``),
/// a backslash outside quotes escapes the next character — and nothing else: no variables, no
/// globbing, no pipes. The words are executed directly, never through a shell.
public enum CommandWords {
    public enum SplitError: Error, CustomStringConvertible, Equatable, Sendable {
        case unterminatedQuote(Character)
        case trailingBackslash
        case empty

        public var description: String {
            switch self {
            case .unterminatedQuote(let q): return "unterminated \(q) quote"
            case .trailingBackslash: return "a backslash at the end escapes nothing"
            case .empty: return "no command given"
            }
        }
    }

    public static func split(_ text: String) throws(SplitError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = text.makeIterator()
        while let c = iterator.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let d = iterator.next() {
                    if d == "'" { closed = true; break }
                    current.append(d)
                }
                guard closed else { throw .unterminatedQuote("'") }
            case "\"":
                inWord = true
                var closed = false
                while let d = iterator.next() {
                    if d == "\"" { closed = true; break }
                    if d == "\\" {
                        guard let e = iterator.next() else { throw .unterminatedQuote("\"") }
                        if !["\"", "\\", "$", "`"].contains(e) { current.append("\\") }
                        current.append(e)
                    } else {
                        current.append(d)
                    }
                }
                guard closed else { throw .unterminatedQuote("\"") }
            case "\\":
                guard let e = iterator.next() else { throw .trailingBackslash }
                inWord = true
                if e != "\n" { current.append(e) }
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        guard !words.isEmpty else { throw .empty }
        return words
    }
}
