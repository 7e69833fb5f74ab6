import Metrics
import Prometheus
import Synchronization

/// Installs a Prometheus registry as the process's swift-metrics backend.
///
/// swift-metrics accepts one bootstrap per process (a second call traps), so this is
/// guarded: every call returns the one registry the first call installed. Tests use a
/// `PrometheusCollectorRegistry` and `PrometheusMetricsFactory(registry:)` directly.
///
/// Beware swift-prometheus traps when one metric name is used with two types, or both with
/// and without labels: give each metric one label set (an empty value is fine).
public enum MetricsBootstrap {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-metrics on a new registry, once; returns the registry `/metrics` renders.
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry {
        installed.withLock { installed in
            if let installed { return installed }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            installed = registry
            return registry
        }
    }
}
