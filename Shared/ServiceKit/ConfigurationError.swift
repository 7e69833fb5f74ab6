/// Everything wrong with a service's configuration, each problem naming its variable.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable {
        public let variable: String
        public let reason: String
    }

    public let problems: [Problem]

    public var description: String {
        problems.map { "\($0.variable) \($0.reason)" }.joined(separator: "; ")
    }

    /// What a service prints to stderr before exiting with status 2.
    public var exitMessage: String {
        "configuration error:\n" + problems.map { "  - \($0.variable) \($0.reason)" }.joined(separator: "\n")
            + "\nSee the README's Configuration section for every variable and its default."
    }
}
