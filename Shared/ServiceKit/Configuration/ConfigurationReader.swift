import Foundation

/// Reads settings from environment variables and collects every problem, so start-up fails
/// once with all of them named instead of one at a time.
///
/// ```swift
/// let reader = ConfigurationReader()
/// let port = reader.int("SHIPBOARD_HTTP_PORT", default: 8081, range: 0...65535)
/// let url = reader.required("SHIPBOARD_DATABASE_URL", secret: true)
/// try reader.validate()  // throws ConfigurationError naming every problem
/// ```
///
/// Accessors never throw: on a problem they record it and return the default (or an empty
/// value for a missing required one), which the caller discards once `validate()` throws.
/// An unset variable and one set to only whitespace are the same: unset.
///
/// Values are echoed in problems only when that is harmless: never for a secret (nor for a
/// variable whose name suggests one, such as `…_URL`, `…_PASSWORD`, `…_TOKEN`), and only when
/// short and printable ASCII, so an error message can be neither a leak nor a terminal escape.
///
/// Not `Sendable`: a reader belongs to the start-up code that fills one configuration.
public final class ConfigurationReader {
    private let environment: [String: String]
    /// Every problem so far, in the order the variables were read.
    public private(set) var problems: [ConfigurationError.Problem] = []
    /// The names read so far, in order, without repeats (documentation checks use it).
    private(set) var variablesRead: [String] = []

    /// A reader over `environment` (the process environment unless a test passes its own).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Records a problem that no single accessor can see, such as two settings that conflict.
    /// `reason` must not contain a secret value.
    public func recordProblem(_ name: String, _ reason: String) {
        problems.append(.init(variable: name, reason: reason))
    }

    /// Throws every problem recorded so far as one ``ConfigurationError``.
    public func validate() throws(ConfigurationError) {
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }

    /// The trimmed value of `name`, or nil when unset or blank.
    func value(of name: String) -> String? {
        if !variablesRead.contains(name) { variablesRead.append(name) }
        guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }
}
