import Contracts
import Foundation
import Messaging
import Postgres

/// The command handlers of shipboard-planning. Each runs in the consumer's inbox
/// transaction: it locks what it changes (the release row, so commands on one release
/// apply one after another), applies the rules, saves, appends to the audit trail and
/// emits its events through the outbox, then answers. A refusal rolls all of it back.
public struct PlanningCommandHandlers: Sendable {
    let schema: String
    let matrix: PriorityMatrix
    /// Approval gates of a release created without a template, by phase.
    let gates: [ReleasePhase: ApprovalGate]

    /// The audit chain of configuration changes (templates, approver groups, exit criteria).
    public static let configurationAuditKey = "CONFIGURATION"

    public init(
        schema: String = PlanningSchema.name, matrix: PriorityMatrix = .standard,
        gates: [ReleasePhase: ApprovalGate] = [.initiate: ApprovalGate(approverGroup: "release-approvers", requiredApprovals: 1)]
    ) {
        self.schema = schema
        self.matrix = matrix
        self.gates = gates
    }

    /// Handlers for every planning command.
    public func handlers() -> MessageHandlers {
        var handlers = MessageHandlers()
        handlers.onCommand(CreateRelease.self) { envelope, context in try await create(envelope, context) }
        handlers.onCommand(UpdateRelease.self) { envelope, context in try await update(envelope, context) }
        registerLifecycle(into: &handlers)
        handlers.onCommand(AddChange.self) { envelope, context in try await addChange(envelope, context) }
        handlers.onCommand(RemoveChange.self) { envelope, context in try await removeChange(envelope, context) }
        registerConfiguration(into: &handlers)
        ConfigurationItemCommandHandlers(schema: schema).register(into: &handlers)
        return handlers
    }
}
