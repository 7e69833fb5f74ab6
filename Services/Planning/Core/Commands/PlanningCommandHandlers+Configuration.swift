import Contracts
import Foundation
import Messaging
import Postgres

extension PlanningCommandHandlers {
    func registerConfiguration(into handlers: inout MessageHandlers) {
        handlers.onPlanningCommand(DefineReleaseTemplate.self) { envelope, context in try await defineTemplate(envelope, context) }
        handlers.onPlanningCommand(RetireReleaseTemplate.self) { envelope, context in
            let name = envelope.payload.name
            let version = try await ReleaseTemplates(schema: schema).retire(name, by: envelope.actor, in: context.transaction)
            try await recordConfiguration("release_template", name, "retired", envelope.actor, context)
            return ReleaseTemplateSummary(name: name, version: version, retired: true)
        }
        handlers.onPlanningCommand(AddApprover.self) { envelope, context in
            let command = envelope.payload
            let groups = ApproverGroups(schema: schema)
            try await groups.add(command.member, to: command.group, by: envelope.actor, in: context.transaction)
            try await recordConfiguration("approver_group", command.group, "member_added", envelope.actor, context,
                                          details: ["member": command.member])
            return ApproverGroupSummary(group: command.group, members: try await groups.members(of: command.group, in: context.transaction))
        }
        handlers.onPlanningCommand(RemoveApprover.self) { envelope, context in
            let command = envelope.payload
            let groups = ApproverGroups(schema: schema)
            try await groups.remove(command.member, from: command.group, in: context.transaction)
            try await recordConfiguration("approver_group", command.group, "member_removed", envelope.actor, context,
                                          details: ["member": command.member])
            return ApproverGroupSummary(group: command.group, members: try await groups.members(of: command.group, in: context.transaction))
        }
        handlers.onPlanningCommand(SetGroupAssignment.self) { envelope, context in
            let command = envelope.payload
            let policy = try GroupAssignments.policy(command.policy)
            try await GroupAssignments(schema: schema).setPolicy(policy, for: command.group, in: context.transaction)
            try await recordConfiguration("approver_group", command.group, "assignment_policy_set", envelope.actor, context,
                                          details: ["policy": policy.rawValue])
            return GroupAssignmentSummary(group: command.group, policy: policy.rawValue)
        }
        handlers.onPlanningCommand(ConfigureExitCriterion.self) { envelope, context in try await configureExitCriterion(envelope, context) }
    }

    private func defineTemplate(_ envelope: Envelope<DefineReleaseTemplate>, _ context: HandlerContext) async throws -> ReleaseTemplateSummary {
        let command = envelope.payload
        var gates: [ReleasePhase: ApprovalGate] = [:]
        for (phase, spec) in command.gates {
            // ApprovalGate raises a count below 1; a person asking for 0 or 100 approvals made a mistake.
            guard (1...20).contains(spec.requiredApprovals) else {
                throw CommandError(
                    .validation, "a gate needs 1 to 20 approvals", rule: "templates.well_formed",
                    fields: ["gates.\(phase.rawValue).requiredApprovals": "must be 1 to 20"])
            }
            gates[phase] = ApprovalGate(approverGroup: spec.approverGroup, requiredApprovals: spec.requiredApprovals)
        }
        let template = ReleaseTemplate(
            name: command.name, description: command.description ?? "", type: command.type, impact: command.impact,
            urgency: command.urgency, risk: command.risk, jobPlanName: command.jobPlanName, gates: gates)
        try ReleaseTemplates.validate(template)
        // A gate asking for more approvals than its group has members could never open.
        let unreachable = GatePolicy.unreachable(gates, eligible: try await memberCounts(of: gates, in: context.transaction))
        guard unreachable.isEmpty else {
            throw CommandError(
                .validation, "a gate asks for more approvals than its group has members", rule: "templates.gate_unreachable",
                fields: unreachable)
        }
        let version = try await ReleaseTemplates(schema: schema).define(template, by: envelope.actor, in: context.transaction)
        try await recordConfiguration("release_template", command.name, "defined", envelope.actor, context,
                                      details: ["version": String(version)])
        return ReleaseTemplateSummary(name: command.name, version: version, retired: false)
    }

    private func configureExitCriterion(_ envelope: Envelope<ConfigureExitCriterion>, _ context: HandlerContext) async throws -> ExitCriteriaSummary {
        let command = envelope.payload
        let setting = try ExitCriterionSetting(command)
        let settings = ExitCriteriaSettings(schema: schema)
        try await settings.configure(
            setting.criterion, of: setting.phase, severity: setting.severity, by: envelope.actor, in: context.transaction)
        try await recordConfiguration("exit_criteria", setting.phase.rawValue, "\(setting.criterion.rawValue)=\(command.severity)",
                                      envelope.actor, context)
        let current = try await settings.criteria(of: setting.phase, in: context.transaction)
        return ExitCriteriaSummary(
            phase: setting.phase, criteria: Dictionary(uniqueKeysWithValues: current.map { ($0.key.rawValue, $0.value.rawValue) }))
    }

    /// Audits a configuration change under `CONFIGURATION` and announces it.
    func recordConfiguration(
        _ kind: String, _ subject: String, _ action: String, _ actor: String, _ context: HandlerContext,
        details: [String: String] = [:]
    ) async throws {
        var all = details
        all["kind"] = kind
        all["subject"] = subject
        let entry = try await audit.appendToSharedChain(
            Self.configurationAuditKey, actor: actor, action: "\(PlanningConfigurationChanged.messageType):\(action)",
            details: all, in: context.transaction)
        try await context.publish(
            PlanningConfigurationChanged(kind: kind, subject: subject, action: action, actor: actor),
            correlationId: Self.configurationAuditKey, auditHead: entry.head)
    }

    /// Members per approver group of `gates`, less `excluded` (a release's parties, who may not decide).
    func memberCounts(
        of gates: [ReleasePhase: ApprovalGate], excluding excluded: [String] = [], in transaction: PostgresTransaction
    ) async throws -> [String: Int] {
        let directory = ApproverGroups(schema: schema)
        var counts: [String: Int] = [:]
        for group in Set(gates.values.map(\.approverGroup)) {
            counts[group] = try await directory.members(of: group, in: transaction).filter { !excluded.contains($0) }.count
        }
        return counts
    }
}
