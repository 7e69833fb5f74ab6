import Logging
import ServiceLifecycle
import UnixSignals  // ServiceLifecycle's signal type; comes with that package

/// Start-up and shutdown shared by every service's `main`:
///
/// ```swift
/// let (configuration, settings) = ServiceMain.loadOrExit(serviceName: "planning", defaultHTTPPort: 8081) { reader in
///     PlanningSettings(reader)
/// }
/// let registry = ObservabilityBootstrap.bootstrap(configuration)
/// let logger = Logger(label: "shipboard.planning")
/// let endpoint = OperationsEndpoint(configuration: configuration, checks: [...], registry: registry)
/// try await ServiceMain.run(services: [endpoint, relay, consumer], configuration: configuration, logger: logger)
/// ```
public enum ServiceMain {
    /// Runs `services` in one `ServiceGroup` until SIGTERM or SIGINT, then shuts them down
    /// gracefully.
    ///
    /// Services start in the order given and shut down in reverse: each is asked to stop only
    /// once every service listed after it has returned. If shutdown takes longer than
    /// `configuration.shutdownTimeout`, the remaining services are cancelled. A service that throws, or returns while no shutdown
    /// was asked for, shuts the others down gracefully too, and `run` throws its error
    /// (``ServiceStoppedUnexpectedly`` for a return), so the process exits non-zero and its
    /// supervisor restarts it. Logs start and stop with `logger`.
    public static func run(services: [any Service], configuration: ServiceConfiguration, logger: Logger) async throws {
        try await run(
            services: services, configuration: configuration, logger: logger, gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// `run` with other signals, so tests can signal a group without touching SIGTERM.
    static func run(
        services: [any Service], configuration: ServiceConfiguration, logger: Logger, gracefulShutdownSignals: [UnixSignal]
    ) async throws {
        var logger = logger
        logger[metadataKey: "service.name"] = "\(configuration.serviceName)"
        let group = serviceGroup(
            services: services, shutdownTimeout: configuration.shutdownTimeout, logger: logger,
            gracefulShutdownSignals: gracefulShutdownSignals)
        logger.info(
            "service starting",
            metadata: [
                "service.configuration": "\(configuration)",
                "service.components": "\(services.map { SupervisedService.name(of: $0) }.joined(separator: ", "))",
            ])
        do {
            try await group.run()
            logger.info("service stopped")
        } catch {
            logger.error("service stopped on an error", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// The group `run` runs, for callers that need the group itself (to add services later,
    /// or to trigger shutdown with `triggerGracefulShutdown()`).
    public static func serviceGroup(
        services: [any Service], shutdownTimeout: Duration, logger: Logger,
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint]
    ) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services.map { service in
                .init(
                    service: SupervisedService(service),
                    successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup,
                    serviceName: SupervisedService.name(of: service))
            },
            gracefulShutdownSignals: gracefulShutdownSignals,
            cancellationSignals: [],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        return ServiceGroup(configuration: configuration)
    }
}
