import Foundation

/// Reads settings from environment variables and collects every problem, so start-up
/// fails once with all of them named instead of one at a time.
///
/// A secret's value never appears in a problem, a description or a log.
public final class ConfigurationReader {
    private let environment: [String: String]
    private(set) var problems: [ConfigurationError.Problem] = []

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    private func raw(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    private func problem(_ name: String, _ reason: String) {
        problems.append(.init(variable: name, reason: reason))
    }

    /// A value that must be set.
    public func required(_ name: String, secret: Bool = false) -> String {
        guard let value = raw(name) else {
            problem(name, "is required but not set")
            return ""
        }
        return value
    }

    public func string(_ name: String, default fallback: String) -> String {
        raw(name) ?? fallback
    }

    public func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = raw(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            problem(name, "must be an integer in \(range.lowerBound)...\(range.upperBound)")
            return fallback
        }
        return value
    }

    public func bool(_ name: String, default fallback: Bool) -> Bool {
        guard let text = raw(name)?.lowercased() else { return fallback }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problem(name, "must be true or false")
            return fallback
        }
    }

    /// `500ms`, `5s`, `2m`, or a plain number of seconds.
    public func duration(_ name: String, default fallback: Duration) -> Duration {
        guard let text = raw(name)?.lowercased() else { return fallback }
        let units: [(String, (Int) -> Duration)] = [
            ("ms", { .milliseconds($0) }), ("s", { .seconds($0) }), ("m", { .seconds($0 * 60) }), ("", { .seconds($0) }),
        ]
        for (suffix, make) in units where text.hasSuffix(suffix) {
            if let number = Int(text.dropLast(suffix.count)), number >= 0 { return make(number) }
        }
        problem(name, "must be a duration such as 500ms, 5s or 2m")
        return fallback
    }

    /// One of a fixed set of words.
    public func oneOf(_ name: String, default fallback: String, allowed: [String]) -> String {
        guard let text = raw(name)?.lowercased() else { return fallback }
        guard allowed.contains(text) else {
            problem(name, "must be one of \(allowed.joined(separator: ", "))")
            return fallback
        }
        return text
    }

    /// A URL whose scheme must be one of `schemes`; the value is a secret (it may hold a password).
    public func secretURL(_ name: String, schemes: [String]) -> String {
        let value = required(name, secret: true)
        guard !value.isEmpty else { return value }
        let scheme = value.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        if !schemes.contains(scheme) {
            problem(name, "must be a URL starting with \(schemes.map { "\($0)://" }.joined(separator: " or "))")
        }
        return value
    }

    /// Throws every problem found so far.
    public func validate() throws(ConfigurationError) {
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }
}
