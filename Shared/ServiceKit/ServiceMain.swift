import Foundation
import Logging
import ServiceLifecycle

/// Start-up and shutdown shared by every service's `main`.
public enum ServiceMain {
    /// Reads the configuration with `read`; on any problem prints every one (naming the
    /// variables, never a secret) and exits with status 2.
    public static func loadOrExit<T>(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ read: (ConfigurationReader) -> T
    ) -> T {
        let reader = ConfigurationReader(environment: environment)
        let value = read(reader)
        do {
            try reader.validate()
        } catch {
            FileHandle.standardError.write(Data((error.exitMessage + "\n").utf8))
            exit(2)
        }
        return value
    }

    /// Runs `services` in one group: started in order, stopped in reverse on SIGTERM or
    /// SIGINT, each given the configured time to finish what it holds.
    public static func run(services: [any Service], configuration: ServiceConfiguration, logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger))
        logger.info("starting", metadata: ["service.config": "\(configuration)"])
        try await group.run()
        logger.info("stopped")
    }
}
