import Foundation
import Logging
import Messaging
import Postgres
import ServiceLifecycle

/// The coordinator half of a replica: every replica runs one. It looks at the active
/// rollouts when its workers recorded outcomes, when a command gave it work, and at least
/// every `interval` (timed gates, expired leases, other replicas' outcomes), and runs a pass
/// over each whose lock it gets (``RolloutCoordination``). No leader: whichever replica
/// gets a rollout's lock moves it; the others skip it.
public struct CoordinatorLoop: Service {
    let coordination: RolloutCoordination
    let pool: PostgresPool
    let wake: WakeSignal
    let interval: Duration
    let coalescing: Duration
    let logger: Logger

    public init(
        schema: String = "rollout", pool: PostgresPool, wake: WakeSignal, interval: Duration = .milliseconds(500),
        coalescing: Duration = .milliseconds(25), logger: Logger
    ) {
        self.coordination = RolloutCoordination(schema: schema)
        self.pool = pool
        self.wake = wake
        self.interval = interval
        self.coalescing = coalescing
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    let changed = try await passOverActive()
                    failures = 0
                    // Work done may have made more possible (a wave completed): look again at once.
                    // Otherwise wait for a wake, then a moment more, so that the outcomes of
                    // several record batches (this replica's and others') make one pass.
                    if !changed {
                        await wake.wait(timeout: interval)
                        try? await Task.sleep(for: coalescing)
                    }
                } catch {
                    failures += 1
                    if failures == 1 || failures % 20 == 0 {
                        logger.warning("coordinating rollouts failed; trying again", metadata: ["error": "\(error)", "failures": "\(failures)"])
                    }
                    try? await Task.sleep(for: .milliseconds(min(5000, 200 * failures)))
                }
            }
        }
    }

    /// One pass over every active rollout, each in its own transaction. True when any changed.
    func passOverActive() async throws -> Bool {
        let ids = try await pool.withTransaction { try await RolloutRepository(schema: coordination.schema).active(in: $0) }
        var changed = false
        for id in ids {
            let outcome = try await pool.withTransaction(retries: 2) { try await coordination.pass(id, in: $0) }
            if outcome == .passed(changed: true) { changed = true }
        }
        return changed
    }
}
