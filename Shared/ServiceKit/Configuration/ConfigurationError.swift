/// Everything wrong with a service's configuration, each problem naming its variable.
///
/// Built only by ``ConfigurationReader``, which never puts a secret's value (nor a long or
/// unprintable value of any variable) into a reason, so the error is safe to print and log.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One variable and what is wrong with it, e.g. `SHIPBOARD_HTTP_PORT` / `is not an integer (got "eighty")`.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The environment variable's name.
        public let variable: String
        /// What is wrong, phrased to follow the variable's name.
        public let reason: String

        /// Creates a problem; `reason` must not contain a secret.
        public init(variable: String, reason: String) {
            self.variable = variable
            self.reason = reason
        }

        public var description: String { "\(variable) \(reason)" }
    }

    /// Every problem found, in the order the variables were read.
    public let problems: [Problem]

    /// Creates an error from the problems a reader collected.
    public init(problems: [Problem]) {
        self.problems = problems
    }

    /// All problems on one line, for logs.
    public var description: String {
        "invalid configuration: " + problems.map(\.description).joined(separator: "; ")
    }

    /// What a service prints to stderr before exiting with status 2: one problem per line.
    public var exitMessage: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "configuration error (\(count)):\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
            + "\nEvery variable and its default is listed in the README's Configuration section."
    }
}
