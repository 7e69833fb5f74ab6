import Metrics

/// The relay's gauges and counters, labelled by schema (picked up by the Prometheus
/// registry that `ServiceKit` bootstraps, or by any `MetricsFactory` a test passes).
///
/// - `shipboard_outbox_pending_rows`: rows waiting to be published.
/// - `shipboard_outbox_oldest_pending_seconds`: age of the oldest of them (alert on it: a
///   growing age means rows are not getting out).
/// - `shipboard_outbox_failed_rows`: rows an operator must retry or discard.
/// - `shipboard_outbox_published_total`, `shipboard_outbox_row_failures_total`: counters.
struct OutboxMetrics: Sendable {
    let pending: Gauge
    let oldestPendingAge: Gauge
    let failed: Gauge
    let published: Counter
    let rowFailures: Counter

    init(schema: String, factory: (any MetricsFactory)?) {
        let dimensions = [("schema", schema)]
        // Created once per relay: the factory takes a lock per creation.
        let factory = factory ?? MetricsSystem.factory
        pending = Gauge(label: "shipboard_outbox_pending_rows", dimensions: dimensions, factory: factory)
        oldestPendingAge = Gauge(label: "shipboard_outbox_oldest_pending_seconds", dimensions: dimensions, factory: factory)
        failed = Gauge(label: "shipboard_outbox_failed_rows", dimensions: dimensions, factory: factory)
        published = Counter(label: "shipboard_outbox_published_total", dimensions: dimensions, factory: factory)
        rowFailures = Counter(label: "shipboard_outbox_row_failures_total", dimensions: dimensions, factory: factory)
    }

    func record(_ statistics: OutboxStatistics) {
        pending.record(statistics.pending)
        oldestPendingAge.record(statistics.oldestPendingAge)
        failed.record(statistics.failed)
    }
}
