import Contracts
import Foundation
import Postgres

extension RolloutRepository {
    /// Writes what a rollout's record says now: state, wave, reason, gate timer and the
    /// planning tasks waiting on it. Started and finished times are set the first time.
    public func save(_ record: RolloutRecord, actor: String? = nil, in transaction: PostgresTransaction) async throws {
        _ = try await transaction.query(
            """
            UPDATE \(identifier: schema).rollouts
            SET state = \(record.state.rawValue), current_wave = \(record.currentWave), reason = \(record.reason),
                wake_at = \(record.wakeAt), plan_task_key = \(record.planTaskKey), start_task_key = \(record.startTaskKey),
                started_at = CASE WHEN \(record.state.rawValue) = 'running' THEN coalesce(started_at, now()) ELSE started_at END,
                started_by = CASE WHEN \(record.state.rawValue) = 'running' THEN coalesce(started_by, \(actor)) ELSE started_by END,
                finished_at = CASE WHEN \(record.state.isFinal) THEN coalesce(finished_at, now()) ELSE NULL END
            WHERE id = \(record.id)
            """, label: "save rollout")
    }

    /// Records a wave as opened, completed or its gate approved (each only the first time).
    public func mark(wave index: Int, of rollout: UUID, _ change: WaveChange, in transaction: PostgresTransaction) async throws {
        switch change {
        case .opened:
            _ = try await transaction.query(
                "UPDATE \(identifier: schema).waves SET opened_at = coalesce(opened_at, now()) WHERE rollout_id = \(rollout) AND index = \(index)",
                label: "open wave")
        case .completed:
            _ = try await transaction.query(
                """
                UPDATE \(identifier: schema).waves SET completed_at = coalesce(completed_at, now())
                WHERE rollout_id = \(rollout) AND index = \(index)
                """, label: "complete wave")
        case .approved(let actor):
            _ = try await transaction.query(
                """
                UPDATE \(identifier: schema).waves SET approved_by = \(actor), approved_at = now()
                WHERE rollout_id = \(rollout) AND index = \(index) AND approved_at IS NULL
                """, label: "approve wave gate")
        }
    }

    public enum WaveChange: Sendable {
        case opened, completed, approved(by: String)
    }

    /// Rollouts a coordinator has work on: running, halted or backing out (and paused ones
    /// with leases to take back), whose gate timer, if any, has passed.
    public func active(in transaction: PostgresTransaction) async throws -> [UUID] {
        try await transaction.query(
            """
            SELECT id FROM \(identifier: schema).rollouts
            WHERE state IN ('running', 'halted', 'backing_out', 'paused') AND (wake_at IS NULL OR wake_at <= now())
            ORDER BY planned_at
            """, label: "active rollouts"
        ).map { try $0.decode(at: 0, as: UUID.self) }
    }
}
