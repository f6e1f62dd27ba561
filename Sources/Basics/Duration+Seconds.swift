extension Duration {
    /// The duration in seconds as a Double (timings in JSON and tables).
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
