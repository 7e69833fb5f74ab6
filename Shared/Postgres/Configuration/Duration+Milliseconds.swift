extension Duration {
    /// Whole milliseconds, rounded up so that a positive duration never becomes 0 (which
    /// PostgreSQL and libpq read as "disabled"); negative durations count as 0.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 || attoseconds > 0 else { return 0 }
        let whole = seconds.multipliedReportingOverflow(by: 1000)
        guard !whole.overflow else { return Int64.max }
        let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return max(0, whole.partialValue + fraction)
    }

    /// The milliseconds, clamped to an `Int32` for `poll()`.
    var pollMilliseconds: Int32 {
        Int32(clamping: milliseconds)
    }
}
