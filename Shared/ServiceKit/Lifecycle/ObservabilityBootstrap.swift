import Prometheus

/// Logging and metrics set up from a ``ServiceConfiguration`` in one call, first thing in `main`.
public enum ObservabilityBootstrap {
    /// Bootstraps logging (``LoggingBootstrap``) with the configured format and level, and
    /// metrics (``MetricsBootstrap``); returns the registry `/metrics` renders. Safe to call
    /// more than once: later calls change nothing and return the same registry.
    @discardableResult
    public static func bootstrap(_ configuration: ServiceConfiguration) -> PrometheusCollectorRegistry {
        LoggingBootstrap.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        return MetricsBootstrap.bootstrap()
    }
}
