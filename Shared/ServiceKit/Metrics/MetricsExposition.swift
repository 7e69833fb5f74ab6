import Prometheus

/// A registry rendered in the Prometheus text exposition format, as `/metrics` serves it.
public enum MetricsExposition {
    /// The content type of the text format, version 0.0.4.
    public static let contentType = "text/plain; version=0.0.4"

    /// Every metric in `registry`, as UTF-8 text.
    public static func render(_ registry: PrometheusCollectorRegistry) -> [UInt8] {
        registry.emitToBuffer()
    }
}
