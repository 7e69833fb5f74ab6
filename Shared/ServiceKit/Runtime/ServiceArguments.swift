import Foundation

/// The version every Shipboard executable reports with `--version`.
public enum ShipboardVersion {
    public static let current = "0.9.0"
}

/// The command line of a service: services are configured by environment only, so the
/// arguments they accept are `--help` (what it is and every variable it reads) and
/// `--version`. Anything else is a usage error (exit 2) naming the argument.
public struct ServiceArguments: Sendable {
    public let name: String
    public let summary: String
    public let variables: [ConfigurationVariable]

    public init(name: String, summary: String, variables: [ConfigurationVariable]) {
        self.name = name
        self.summary = summary
        self.variables = variables
    }

    /// What the arguments ask for.
    public enum Request: Equatable, Sendable {
        case run
        case help
        case version
        case usageError(String)
    }

    public func parse(_ arguments: [String]) -> Request {
        guard let first = arguments.first else { return .run }
        switch first {
        case "--help", "-h", "help": return arguments.count == 1 ? .help : .usageError("unexpected argument '\(arguments[1])'")
        case "--version": return arguments.count == 1 ? .version : .usageError("unexpected argument '\(arguments[1])'")
        default: return .usageError("unknown argument '\(first)'")
        }
    }

    /// The `--help` text: what the service is, how it is configured, every variable.
    public var helpText: String {
        var lines = ["\(name) \(ShipboardVersion.current): \(summary)", "", "Usage: \(name) [--help | --version]", "",
                     "Configured by environment variables (secrets are never echoed):"]
        let width = min(40, variables.map(\.name.count).max() ?? 0)
        for variable in variables {
            let fallback = variable.defaultValue.map { "default \($0)" } ?? "required"
            let padded = variable.name.padding(toLength: max(width, variable.name.count), withPad: " ", startingAt: 0)
            lines.append("  \(padded)  \(variable.meaning) (\(fallback)\(variable.secret ? ", secret" : ""))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Prints help or the version and exits 0, or a usage error and exits 2; returns to run.
    public func handleOrExit(_ arguments: [String]) {
        switch parse(arguments) {
        case .run: return
        case .help:
            FileHandle.standardOutput.write(Data(helpText.utf8))
            exit(0)
        case .version:
            FileHandle.standardOutput.write(Data("\(name) \(ShipboardVersion.current)\n".utf8))
            exit(0)
        case .usageError(let problem):
            FileHandle.standardError.write(Data("\(name): \(problem) (try --help)\n".utf8))
            exit(2)
        }
    }
}
