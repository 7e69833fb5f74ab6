extension ConfigurationReader {
    /// The value of `name`, or `fallback` when unset.
    public func string(_ name: String, default fallback: String) -> String {
        value(of: name) ?? fallback
    }

    /// The value of `name`, or nil when unset: for settings whose absence means "off".
    public func optional(_ name: String) -> String? {
        value(of: name)
    }

    /// The value of `name`, which must be set; records "is required but not set" otherwise and
    /// returns an empty string. Pass `secret: true` for passwords, tokens and URLs that hold them.
    public func required(_ name: String, secret: Bool = false) -> String {
        guard let value = value(of: name) else {
            recordProblem(name, "is required but not set")
            return ""
        }
        return value
    }

    /// An integer in `range`, or `fallback` when unset. `fallback` need not lie in `range`
    /// (e.g. 0 meaning "off" while set values must be positive).
    public func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = value(of: name) else { return fallback }
        guard let number = Int(text) else {
            recordProblem(name, "is not an integer" + Self.echo(text, of: name, secret: false))
            return fallback
        }
        guard range.contains(number) else {
            recordProblem(
                name, "is out of range \(range.lowerBound)...\(range.upperBound)" + Self.echo(text, of: name, secret: false))
            return fallback
        }
        return number
    }

    /// A boolean written `true`/`false`, `yes`/`no`, `on`/`off` or `1`/`0` (any case), or
    /// `fallback` when unset.
    public func bool(_ name: String, default fallback: Bool) -> Bool {
        guard let text = value(of: name) else { return fallback }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default:
            recordProblem(
                name, "is not a boolean (use true or false, yes or no, on or off, 1 or 0)" + Self.echo(text, of: name, secret: false))
            return fallback
        }
    }

    /// One of `allowed` (compared ignoring case, returned as spelled in `allowed`), or
    /// `fallback` when unset.
    public func oneOf(_ name: String, default fallback: String, allowed: [String]) -> String {
        guard let text = value(of: name) else { return fallback }
        guard let match = allowed.first(where: { $0.lowercased() == text.lowercased() }) else {
            recordProblem(
                name, "is not one of \(allowed.joined(separator: ", "))" + Self.echo(text, of: name, secret: false))
            return fallback
        }
        return match
    }

    /// A case of a string enum (e.g. ``LogFormat``, `Logger.Level`), or `fallback` when unset.
    public func oneOf<Choice: RawRepresentable & CaseIterable>(_ name: String, default fallback: Choice) -> Choice
    where Choice.RawValue == String {
        let allowed = Choice.allCases.map(\.rawValue)
        return Choice(rawValue: oneOf(name, default: fallback.rawValue, allowed: allowed)) ?? fallback
    }
}
