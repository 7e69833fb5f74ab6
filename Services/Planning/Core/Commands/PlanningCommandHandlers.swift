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
    /// The gates every release of a type must have (templates only add to them).
    let policy: GatePolicy
    /// The audit trail, signing with the service's key.
    let audit: AuditTrail

    /// The audit chain of configuration changes (templates, approver groups, exit criteria).
    public static let configurationAuditKey = "CONFIGURATION"

    public init(
        schema: String = PlanningSchema.name, auditKeys: AuditKeyring, matrix: PriorityMatrix = .standard,
        gates: [ReleasePhase: ApprovalGate] = [.initiate: ApprovalGate(approverGroup: "release-approvers", requiredApprovals: 1)],
        policy: GatePolicy = .standard
    ) {
        self.schema = schema
        self.matrix = matrix
        self.gates = gates
        self.policy = policy
        self.audit = AuditTrail(schema: schema, keyring: auditKeys)
    }

    /// Handlers for every planning command.
    public func handlers() -> MessageHandlers {
        var handlers = MessageHandlers()
        handlers.onPlanningCommand(CreateRelease.self) { envelope, context in try await create(envelope, context) }
        handlers.onPlanningCommand(UpdateRelease.self) { envelope, context in try await update(envelope, context) }
        registerLifecycle(into: &handlers)
        handlers.onPlanningCommand(AddChange.self) { envelope, context in try await addChange(envelope, context) }
        handlers.onPlanningCommand(RemoveChange.self) { envelope, context in try await removeChange(envelope, context) }
        registerConfiguration(into: &handlers)
        registerWorkPlans(into: &handlers)
        registerWorkPlanEdits(into: &handlers)
        registerOrchestration(into: &handlers)
        registerRollout(into: &handlers)
        registerAcceptance(into: &handlers)
        registerFreezes(into: &handlers)
        handlers.onPlanningCommand(VerifyAuditTrail.self) { envelope, context in try await verifyAuditTrail(envelope, context) }
        ConfigurationItemCommandHandlers(schema: schema, auditKeys: audit.keyring).register(into: &handlers)
        return handlers
    }
}

extension MessageHandlers {
    /// Registers a planning command handler that sees the envelope's actor in its one
    /// normalised form (`PersonID`), so every comparison and every stored actor (records,
    /// audit trail, events) treats `Dave` and `dave` as one person. The envelope's decoding
    /// has already refused actors that are empty, too long or hold control characters.
    mutating func onPlanningCommand<Command: CommandContract>(
        _ type: Command.Type,
        _ handler: @escaping @Sendable (Envelope<Command>, HandlerContext) async throws -> Command.Result
    ) {
        onCommand(type) { envelope, context in
            var envelope = envelope
            envelope.actor = PersonID.normalized(envelope.actor)
            return try await handler(envelope, context)
        }
    }
}
