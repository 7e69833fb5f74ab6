import Foundation

/// Settings that `Infra/scripts/test.sh` provides through the environment (`.run/env`).
public enum TestSettings {
    /// The variable's value; a clear error when the tests were not started by test.sh.
    public static func value(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestSettingsError(description: "\(name) is not set: run the tests with `bash Infra/scripts/test.sh`")
        }
        return value
    }
}

/// A test precondition that is not met, or a harness command that failed.
public struct TestSettingsError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
