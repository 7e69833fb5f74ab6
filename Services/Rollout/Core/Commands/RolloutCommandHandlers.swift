import Contracts
import Foundation
import Messaging
import Postgres

/// shipboard-rollout's handlers: planning a rollout (`+Planning`), starting it (`+Start`) and
/// people's control of it (`+Control`). The running rollout itself is moved by the
/// coordinator (``RolloutCoordination``) and the workers (``DeployWorker``), not by handlers.
public struct RolloutCommandHandlers: Sendable {
    public let schema: String
    /// Where the releases and the CMDB are read (planning writes them).
    public let planningSchema: String
    /// Where the DML is read (testing writes it).
    public let testingSchema: String
    /// Wakes this replica's coordinator when a command gave it work (a start, a resume).
    let wake: WakeSignal?

    public init(schema: String = "rollout", planningSchema: String = "planning", testingSchema: String = "testing", wake: WakeSignal? = nil) {
        self.schema = schema
        self.planningSchema = planningSchema
        self.testingSchema = testingSchema
        self.wake = wake
    }

    public func handlers() -> MessageHandlers {
        var handlers = MessageHandlers()
        registerPlanning(into: &handlers)
        registerStart(into: &handlers)
        registerControl(into: &handlers)
        return handlers
    }

    var rollouts: RolloutRepository { RolloutRepository(schema: schema) }
    var targets: TargetStore { TargetStore(schema: schema) }
    var planning: PlanningReader { PlanningReader(schema: planningSchema) }

    /// The release key a person typed, checked before anything is read.
    static func checkReleaseKey(_ key: String) throws(CommandError) {
        try ShortText.check(key, field: "releaseKey", max: 40, rule: RolloutPlanRule.releaseKey)
    }

    /// The release's rollout that is not final, locked, or a not-found refusal.
    func liveRollout(_ releaseKey: String, in transaction: PostgresTransaction) async throws -> RolloutRecord {
        guard let record = try await rollouts.live(releaseKey: releaseKey, lock: true, in: transaction) else {
            throw CommandError(.notFound, "release \(releaseKey) has no rollout planned or running", rule: "rollout.not_planned")
        }
        return record
    }
}
