import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres
import Testing

/// Templates, approver groups and exit-criteria settings over request/reply, against the
/// real servers, and their effect on releases.
@Suite("Planning configuration over request/reply", .serialized)
struct PlanningConfigurationCommandTests {
    @Test("templates preset fields, gates and job plan; explicit values win; redefining versions; retired or unknown refused")
    func templates() async throws {
        let harness = try await PlanningHarness()
        // A gate's group needs as many members as approvals asked when the template is defined,
        // and every release gets the policy's review gate (release-approvers).
        for member in ["dave", "erin"] { _ = try await harness.send(AddApprover(group: "ecab", member: member), as: "admin") }
        _ = try await harness.send(AddApprover(group: "release-approvers", member: "frank"), as: "admin")
        let define = DefineReleaseTemplate(
            name: "emergency-fix", description: "Out-of-hours fixes", type: .emergency, impact: .high, urgency: .high,
            risk: .high, jobPlanName: "emergency-plan",
            gates: [.initiate: ApprovalGateSpec(approverGroup: "ecab", requiredApprovals: 2)])
        #expect(try await harness.send(define, as: "admin") == ReleaseTemplateSummary(name: "emergency-fix", version: 1, retired: false))
        #expect(try await harness.send(define, as: "admin").version == 2)

        let key = try await harness.send(
            CreateRelease(title: "Hotfix", urgency: .low, requester: "alice", coordinator: "carol", templateName: "emergency-fix"),
            as: "alice"
        ).releaseKey
        let record = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
        #expect(record.type == "emergency" && record.impact == "high" && record.urgency == "low" && record.risk == "high")
        #expect(record.template == "emergency-fix" && record.jobPlanName == "emergency-plan")
        let state = try ContractCoding.decode(ReleaseState.self, from: record.state)
        // The template's gate, and the gates an emergency release must have (GatePolicy) added.
        #expect(state.gates == [
            .initiate: ApprovalGate(approverGroup: "ecab", requiredApprovals: 2),
            .deploy: ApprovalGate(approverGroup: "release-approvers"), .review: ApprovalGate(approverGroup: "release-approvers"),
        ])

        // Two distinct ecab members are needed before the release is authorized.
        _ = try await harness.send(SubmitRelease(releaseKey: key), as: "alice")
        #expect(try await harness.send(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "dave").status == .pendingApproval)
        #expect(try await harness.send(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "erin").status == .inProgress)

        let badName = await harness.refusal(DefineReleaseTemplate(name: "Bad Name'; DROP TABLE x", type: .minor), as: "admin")
        #expect(badName?.kind == .validation && badName?.fields?["name"] != nil)
        let badGate = await harness.refusal(
            DefineReleaseTemplate(name: "zero", type: .minor, gates: [.plan: ApprovalGateSpec(approverGroup: "cab", requiredApprovals: 0)]),
            as: "admin")
        #expect(badGate?.kind == .validation && badGate?.fields?["gates.plan.requiredApprovals"] != nil)

        #expect(try await harness.send(RetireReleaseTemplate(name: "emergency-fix"), as: "admin").retired)
        let retired = await harness.refusal(CreateRelease(title: "Late", requester: "alice", templateName: "emergency-fix"), as: "alice")
        #expect(retired?.kind == .conflict && retired?.rule == "templates.retired")
        #expect(await harness.refusal(CreateRelease(title: "X", templateName: "nope"), as: "alice")?.kind == .notFound)
        #expect(await harness.refusal(RetireReleaseTemplate(name: "nope"), as: "admin")?.kind == .notFound)

        // The template `default`, once defined, presets releases created without a template.
        _ = try await harness.send(AddApprover(group: "cab", member: "dave"), as: "admin")
        _ = try await harness.send(DefineReleaseTemplate(
            name: "default", type: .standard, gates: [.plan: ApprovalGateSpec(approverGroup: "cab")]), as: "admin")
        let plain = try await harness.send(CreateRelease(title: "Plain", requester: "alice"), as: "alice").releaseKey
        let plainRecord = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(plain, in: $0) }
        #expect(plainRecord.template == "default" && plainRecord.type == "standard")
        #expect(try ContractCoding.decode(ReleaseState.self, from: plainRecord.state).gates
                == [.plan: ApprovalGate(approverGroup: "cab"), .review: ApprovalGate(approverGroup: "release-approvers")])
        // No gate on initiate: submitting authorizes at once.
        #expect(try await harness.send(SubmitRelease(releaseKey: plain), as: "alice").status == .inProgress)
        try await harness.close()
    }

    @Test("approver groups: membership decides who may approve; duplicates and absent members refused; audited")
    func approverGroups() async throws {
        let harness = try await PlanningHarness()
        #expect(try await harness.send(AddApprover(group: "release-approvers", member: "dave"), as: "admin").members == ["dave"])
        // Members are stored in their one normalised form (PersonID): trimmed and lower-cased.
        #expect(try await harness.send(AddApprover(group: "release-approvers", member: "Zoë O'Brien"), as: "admin").members
                == ["dave", "zoë o'brien"])
        #expect(await harness.refusal(AddApprover(group: "release-approvers", member: "dave"), as: "admin")?.rule == "approvers.unique")
        #expect(await harness.refusal(AddApprover(group: "release-approvers", member: " "), as: "admin")?.kind == .validation)
        #expect(await harness.refusal(AddApprover(group: "Bad Group", member: "x"), as: "admin")?.kind == .validation)
        #expect(try await harness.send(RemoveApprover(group: "release-approvers", member: "dave"), as: "admin").members == ["zoë o'brien"])
        #expect(await harness.refusal(RemoveApprover(group: "release-approvers", member: "dave"), as: "admin")?.kind == .notFound)

        let key = try await harness.send(CreateRelease(title: "Payroll", requester: "alice", coordinator: "carol"), as: "alice").releaseKey
        _ = try await harness.send(SubmitRelease(releaseKey: key), as: "alice")
        #expect(await harness.refusal(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "dave")?.rule == "approval.not_in_approver_group")
        #expect(await harness.refusal(RejectRelease(releaseKey: key, reason: "no", expectedPhase: .initiate), as: "dave")?.rule == "approval.not_in_approver_group")
        #expect(try await harness.send(ApproveRelease(releaseKey: key, expectedPhase: .initiate), as: "Zoë O'Brien").status == .inProgress)

        let audit = AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring)
        let entries = try await audit.reader.entries(chain: PlanningCommandHandlers.configurationAuditKey, pool: harness.pool)
        #expect(entries.map(\.action) == [
            "planning.configuration_changed:member_added", "planning.configuration_changed:member_added",
            "planning.configuration_changed:member_removed",
        ])
        #expect(try await audit.verify(chain: PlanningCommandHandlers.configurationAuditKey, pool: harness.pool) == .intact(entries: 3))
        #expect(try await harness.outboxTypes(PlanningCommandHandlers.configurationAuditKey).count == 3)
        try await harness.close()
    }

    @Test("exit criteria: errors block advancing and are all named; warnings pass and are reported; off removes; unknown refused")
    func exitCriteria() async throws {
        let harness = try await PlanningHarness()
        // Every release needs a review gate (GatePolicy); its group needs a member to submit.
        _ = try await harness.send(AddApprover(group: "release-approvers", member: "dave"), as: "admin")
        _ = try await harness.send(DefineReleaseTemplate(name: "open", type: .standard), as: "admin")
        for (criterion, severity) in [("changes_added", "error"), ("affected_cis_identified", "error"), ("schedule_set", "warning")] {
            _ = try await harness.send(ConfigureExitCriterion(phase: .plan, criterion: criterion, severity: severity), as: "admin")
        }
        let summary = try await harness.send(ConfigureExitCriterion(phase: .plan, criterion: "job_plan_named", severity: "warning"), as: "admin")
        #expect(summary.criteria == ["changes_added": "error", "affected_cis_identified": "error", "schedule_set": "warning",
                                     "job_plan_named": "warning"])
        #expect(try await harness.send(ConfigureExitCriterion(phase: .plan, criterion: "job_plan_named", severity: "off"), as: "admin")
                .criteria["job_plan_named"] == nil)
        #expect(await harness.refusal(ConfigureExitCriterion(phase: .plan, criterion: "vibes_ok", severity: "error"), as: "admin")?
                .rule == "exit_criteria.known")
        #expect(await harness.refusal(ConfigureExitCriterion(phase: .plan, criterion: "changes_added", severity: "fatal"), as: "admin")?
                .rule == "exit_criteria.severity")

        let key = try await harness.send(CreateRelease(title: "Payroll", requester: "alice", templateName: "open"), as: "alice").releaseKey
        _ = try await harness.send(SubmitRelease(releaseKey: key), as: "alice")
        _ = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "alice")  // initiate has no criteria configured

        let blocked = await harness.refusal(AdvanceRelease(releaseKey: key, expectedPhase: .plan), as: "alice")
        #expect(blocked?.kind == .conflict && blocked?.rule == "lifecycle.exit_criteria_failed")
        // Every failing criterion is named, each with its severity; only errors block.
        #expect(blocked?.fields?["changes_added"] == "error: no change request is part of the release")
        #expect(blocked?.fields?["schedule_set"]?.hasPrefix("warning:") == true)
        #expect(blocked?.message.contains("schedule_set") == false)

        let change = ChangeRequestInput(externalId: "CHG1", title: "Patch", status: "approved", risk: "low", affectedCIs: ["CI-DB-0001"])
        _ = try await harness.send(AddChange(releaseKey: key, change: change), as: "alice")
        let unknownCI = await harness.refusal(AdvanceRelease(releaseKey: key, expectedPhase: .plan), as: "alice")
        #expect(unknownCI?.fields?["affected_cis_identified"]?.contains("not in the CMDB") == true)

        try await CIRepository(schema: harness.schema, pool: harness.pool).upsert(
            ConfigurationItem(key: "CI-DB-0001", name: "Payroll DB", ciClass: .database))
        let advanced = try await harness.send(AdvanceRelease(releaseKey: key, expectedPhase: .plan), as: "alice")
        #expect(advanced.phase == .build)
        #expect(advanced.warnings == ["schedule_set: scheduled start and end must both be set"])
        let entries = try await AuditTrail(schema: harness.schema, keyring: TestAuditKeys.keyring).reader.entries(chain: key, pool: harness.pool)
        #expect(entries.last?.action == "release.phase_changed" && entries.last?.details["warnings"] == "schedule_set")
        let phaseEvent = try await harness.pool.query(
            """
            SELECT convert_from(body, 'UTF8') FROM \(identifier: harness.schema).outbox
            WHERE correlation_id = \(key) AND message_type = 'release.phase_changed' ORDER BY seq DESC LIMIT 1
            """).single().decode(at: 0, as: String.self)
        #expect(phaseEvent.contains("schedule_set"))
        try await harness.close()
    }

    @Test("exit criteria: a stored criterion this version does not know fails advancing and configuring with an internal error")
    func unknownStoredCriterion() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.authorizedRelease(title: "Payroll")
            // What a newer version of planning could have written, inserted as the schema's owner.
            try await harness.pool.query(
                """
                INSERT INTO \(identifier: harness.schema).exit_criteria_settings (phase, criterion, severity, updated_by)
                VALUES ('initiate', 'newer_security_review', 'error', 'admin')
                """)
            for refusal in [
                await harness.refusal(AdvanceRelease(releaseKey: key, expectedPhase: .initiate), as: "alice"),
                await harness.refusal(ConfigureExitCriterion(phase: .initiate, criterion: "schedule_set", severity: "warning"), as: "admin"),
            ] {
                #expect(refusal?.kind == .internal && refusal?.rule == "exit_criteria.stored_values", "\(String(describing: refusal))")
                #expect(refusal?.message.contains("newer_security_review") == false, "the stored value is not echoed")
            }
            let phase = try await harness.pool.query("SELECT phase FROM \(identifier: harness.schema).releases WHERE key = \(key)")
                .single().decode(at: 0, as: String.self)
            #expect(phase == "initiate", "the release did not advance past a criterion it could not check")
        }
    }
}
