import AMQP
import Postgres

/// The two dependencies every service needs before it can work, as readiness probes for
/// a service's `/health/ready` (wrap each in a ServiceKit `ReadinessCheck`).
public enum ReadinessProbes {
    /// Up while a pooled connection answers `SELECT 1`.
    public static func database(_ pool: PostgresPool) -> @Sendable () async -> Bool {
        { (try? await pool.query("SELECT 1")) != nil }
    }

    /// Up while the client holds both its broker connections open (publishing and consuming).
    public static func broker(_ client: AMQPClient) -> @Sendable () async -> Bool {
        { await client.isReady }
    }
}
