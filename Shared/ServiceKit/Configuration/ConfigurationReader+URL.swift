extension ConfigurationReader {
    /// A required URL whose scheme is one of `schemes` (e.g. `["postgres", "postgresql"]`).
    ///
    /// Only presence and scheme are checked here; the client that uses the URL parses the
    /// rest and reports its own, equally redacted, errors. The value is secret by default
    /// because such URLs usually carry a password, and no problem ever quotes it.
    public func requiredURL(_ name: String, schemes: [String], secret: Bool = true) -> String {
        let value = required(name, secret: secret)
        guard !value.isEmpty else { return value }
        checkScheme(of: value, name: name, schemes: schemes)
        return value
    }

    /// An optional URL whose scheme is one of `schemes`, or nil when unset; checked, and never
    /// quoted in a problem, like ``requiredURL(_:schemes:secret:)``.
    public func optionalURL(_ name: String, schemes: [String]) -> String? {
        guard let value = value(of: name) else { return nil }
        checkScheme(of: value, name: name, schemes: schemes)
        return value
    }

    /// Records a problem (naming the variable, never quoting the value) when `value` does not
    /// start with one of `schemes` followed by `://`.
    private func checkScheme(of value: String, name: String, schemes: [String]) {
        let scheme = value.prefix { $0 != ":" }.lowercased()
        let hasSeparator = value.dropFirst(scheme.count).hasPrefix("://")
        if !hasSeparator || !schemes.contains(scheme) {
            let expected = schemes.map { "\($0)://" }.joined(separator: " or ")
            recordProblem(name, "is not a URL starting with \(expected)")
        }
    }
}
