/// A connection URL or configuration value that cannot be used.
///
/// The message names the part that is wrong but never repeats the URL or the password.
public struct PostgresConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in words (no secrets).
    public let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    public var description: String {
        "invalid PostgreSQL configuration: \(reason)"
    }
}
