/// Channels ordered by importance.
public enum ChannelRanking {
    /// Channel order by descending score; ties keep the lower channel first, non-finite scores last.
    public static func order(_ scores: [Double]) -> [Int] {
        scores.indices.sorted { a, b in
            let x = scores[a].isFinite ? scores[a] : -.infinity, y = scores[b].isFinite ? scores[b] : -.infinity
            return x != y ? x > y : a < b
        }
    }
}
