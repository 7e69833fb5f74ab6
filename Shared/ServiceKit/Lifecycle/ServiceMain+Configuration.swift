import Foundation

extension ServiceMain {
    /// Reads the shared settings and the service's own (`readExtra`, with the same reader);
    /// on any problem prints every one to stderr and exits with status 2.
    public static func loadOrExit<Extra>(
        serviceName: String, defaultHTTPPort: Int,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ readExtra: (ConfigurationReader) -> Extra
    ) -> (ServiceConfiguration, Extra) {
        loadOrExit(environment: environment) { reader in
            (ServiceConfiguration(serviceName: serviceName, defaultHTTPPort: defaultHTTPPort, reader: reader), readExtra(reader))
        }
    }

    /// Runs `read` with a reader over `environment`, then validates; on any problem prints
    /// ``ConfigurationError/exitMessage`` (every variable named, no secret) to stderr and
    /// exits with status 2, before anything has connected anywhere.
    public static func loadOrExit<Value>(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ read: (ConfigurationReader) -> Value
    ) -> Value {
        let reader = ConfigurationReader(environment: environment)
        let value = read(reader)
        do {
            try reader.validate()
        } catch {
            let message = "\(ProcessInfo.processInfo.processName): \(error.exitMessage)\n"
            LogSink.standardError.emit(Array(message.utf8))
            exit(2)
        }
        return value
    }
}
