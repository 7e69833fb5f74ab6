import Contracts
import Foundation
import Messaging
import Postgres

/// The command handlers of shipboard-planning: each loads and locks the release, applies
/// the lifecycle rules, saves it, appends to the audit trail and emits the events through
/// the outbox — all in the consumer's inbox transaction — and answers with a summary.
public struct PlanningCommandHandlers: Sendable {
    let schema: String
    let matrix: PriorityMatrix
    /// Approval gates a new release gets, by phase.
    let gates: [ReleasePhase: ApprovalGate]

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
        handlers.onCommand(SubmitRelease.self) { envelope, context in
            try await apply(.submit, to: envelope.payload.releaseKey, envelope, context)
        }
        handlers.onCommand(ApproveRelease.self) { envelope, context in
            try await apply(.approve(comment: envelope.payload.comment), to: envelope.payload.releaseKey, envelope, context)
        }
        handlers.onCommand(RejectRelease.self) { envelope, context in
            try await apply(.reject(reason: envelope.payload.reason), to: envelope.payload.releaseKey, envelope, context)
        }
        handlers.onCommand(AdvanceRelease.self) { envelope, context in
            try await apply(.advance(exitCriteria: []), to: envelope.payload.releaseKey, envelope, context)
        }
        handlers.onCommand(HoldRelease.self) { envelope, context in
            try await apply(.hold(reason: envelope.payload.reason), to: envelope.payload.releaseKey, envelope, context)
        }
        handlers.onCommand(ResumeRelease.self) { envelope, context in
            try await apply(.resume, to: envelope.payload.releaseKey, envelope, context)
        }
        handlers.onCommand(CancelRelease.self) { envelope, context in
            try await apply(.cancel(reason: envelope.payload.reason), to: envelope.payload.releaseKey, envelope, context)
        }
        handlers.onCommand(CloseRelease.self) { envelope, context in
            try await apply(.close(exitCriteria: []), to: envelope.payload.releaseKey, envelope, context)
        }
        ConfigurationItemCommandHandlers(schema: schema).register(into: &handlers)
        return handlers
    }

    private func create(_ envelope: Envelope<CreateRelease>, _ context: HandlerContext) async throws -> ReleaseSummary {
        let command = envelope.payload
        let title = command.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let requester = command.requester ?? envelope.actor
        var fields: [String: String] = [:]
        if title.isEmpty || title.count > 200 { fields["title"] = "must be 1 to 200 characters" }
        if requester.isEmpty { fields["requester"] = "is required" }
        if let start = command.scheduledStart, let end = command.scheduledEnd, end < start {
            fields["scheduledEnd"] = "must not be before scheduledStart"
        }
        guard fields.isEmpty else {
            throw CommandError(.validation, "the release cannot be created as given", rule: "releases.well_formed", fields: fields)
        }
        let transaction = context.transaction
        let key = try await ReleaseKeys.next(schema: schema, in: transaction)
        let type = command.type ?? .minor
        let impact = command.impact ?? .medium
        let urgency = command.urgency ?? .medium
        let coordinator = command.coordinator ?? requester
        let state = ReleaseState(key: key, type: type, requester: requester, coordinator: coordinator, gates: gates)
        let record = ReleaseRecord(
            key: key, title: title, description: command.description ?? "", type: type.rawValue,
            impact: impact.rawValue, urgency: urgency.rawValue,
            priority: matrix.priority(impact: impact, urgency: urgency).rawValue,
            risk: (command.risk ?? .medium).rawValue, justification: command.businessJustification ?? "",
            requester: requester, coordinator: coordinator, scheduledStart: command.scheduledStart,
            scheduledEnd: command.scheduledEnd, template: command.templateName,
            state: try ContractCoding.encode(state))
        _ = try await ReleaseRepository(schema: schema).create(record, in: transaction)
        try await AuditTrail(schema: schema).append(
            releaseKey: key, actor: envelope.actor, action: ReleaseCreated.messageType,
            details: ["title": title, "type": type.rawValue, "priority": record.priority], in: transaction)
        try await context.publish(
            ReleaseCreated(
                releaseKey: key, actor: envelope.actor, title: title, type: type,
                priority: matrix.priority(impact: impact, urgency: urgency), requester: requester, coordinator: coordinator),
            correlationId: key)
        return state.summary
    }

    private func apply<Command: CommandContract>(
        _ lifecycleCommand: LifecycleCommand, to key: String, _ envelope: Envelope<Command>, _ context: HandlerContext
    ) async throws -> ReleaseSummary {
        let transaction = context.transaction
        let releases = ReleaseRepository(schema: schema)
        var record = try await releases.lock(key, in: transaction)
        let state = try ContractCoding.decode(ReleaseState.self, from: record.state)
        let outcome = try ReleaseLifecycle.apply(lifecycleCommand, to: state, by: envelope.actor, at: Date())
        record.phase = outcome.state.phase.rawValue
        record.status = outcome.state.status.rawValue
        record.state = try ContractCoding.encode(outcome.state)
        try await releases.save(record, in: transaction)
        let audit = AuditTrail(schema: schema)
        for event in outcome.events {
            try await audit.append(
                releaseKey: key, actor: envelope.actor, action: event.messageType,
                details: ["phase": outcome.state.phase.rawValue, "status": outcome.state.status.rawValue], in: transaction)
            switch event {
            case .submitted(let payload): try await context.publish(payload, correlationId: key)
            case .approved(let payload): try await context.publish(payload, correlationId: key)
            case .rejected(let payload): try await context.publish(payload, correlationId: key)
            case .phaseChanged(let payload): try await context.publish(payload, correlationId: key)
            case .statusChanged(let payload): try await context.publish(payload, correlationId: key)
            }
        }
        return outcome.state.summary
    }
}
