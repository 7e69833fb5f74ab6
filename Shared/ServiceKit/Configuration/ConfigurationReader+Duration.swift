extension ConfigurationReader {
    /// A duration written `500ms`, `5s`, `2m`, `1h`, or a plain integer of seconds, or
    /// `fallback` when unset. With `range`, values outside it are a problem too.
    public func duration(_ name: String, default fallback: Duration, range: ClosedRange<Duration>? = nil) -> Duration {
        guard let text = value(of: name) else { return fallback }
        guard let parsed = Self.parseDuration(text) else {
            recordProblem(
                name, "is not a duration such as 500ms, 5s, 2m or 30 (seconds)" + Self.echo(text, of: name, secret: false))
            return fallback
        }
        if let range, !range.contains(parsed) {
            recordProblem(
                name, "is out of range \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))"
                    + Self.echo(text, of: name, secret: false))
            return fallback
        }
        return parsed
    }

    /// Units by suffix, in milliseconds; longest suffix first so `ms` is not read as `m`.
    private static let durationUnits: [(suffix: String, milliseconds: Int)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("", 1000),
    ]

    /// Parses `<digits><unit>`; nil for anything else, including values too large to represent.
    static func parseDuration(_ text: String) -> Duration? {
        let lowered = text.lowercased()
        for unit in durationUnits where lowered.hasSuffix(unit.suffix) {
            let digits = lowered.dropLast(unit.suffix.count)
            guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }), let number = Int(digits)
            else { continue }
            let (milliseconds, overflow) = number.multipliedReportingOverflow(by: unit.milliseconds)
            return overflow ? nil : .milliseconds(milliseconds)
        }
        return nil
    }

    /// `1500ms`, `5s`: how a range bound is shown in a problem.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
