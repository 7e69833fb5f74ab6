/// One dependency a service needs before it can do its work, such as PostgreSQL or RabbitMQ.
///
/// ```swift
/// ReadinessCheck("postgres") { (try? await pool.query("SELECT 1")) != nil }
/// ```
///
/// A check that has not answered within `timeout` counts as down, even if it ignores
/// cancellation: the probe never waits longer than the timeout. Concurrent probes share
/// one run of the check, so a check stuck in a call costs one task, not one per probe.
public struct ReadinessCheck: Sendable {
    /// The name in the readiness report (`postgres`, `rabbitmq`).
    public let name: String
    /// How long a run may take before it counts as down.
    public let timeout: Duration
    private let run: CoalescedCheck

    /// A check named `name`; `check` should be cheap and return true when the dependency works.
    public init(_ name: String, timeout: Duration = .seconds(2), _ check: @escaping @Sendable () async -> Bool) {
        self.name = name
        self.timeout = timeout
        self.run = CoalescedCheck(check)
    }

    /// Runs the check (or joins a run in progress): true when it answered true within the timeout.
    public func isUp() async -> Bool {
        await run.result(within: timeout)
    }
}
