import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics set-up. swift-log and swift-metrics accept one
/// bootstrap per process, so services call this once, first thing in `main`.
public enum ObservabilityBootstrap {
    /// Installs the log format and level, and a Prometheus registry as the metrics backend.
    /// Returns the registry that `/metrics` renders.
    @discardableResult
    public static func bootstrap(_ configuration: ServiceConfiguration) -> PrometheusCollectorRegistry {
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .plain:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
