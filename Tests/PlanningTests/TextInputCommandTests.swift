import Contracts
import Foundation
import PlanningCore
import Postgres
import Testing

/// What people type into lifecycle and change commands (reasons, comments, change ids and
/// titles, CI keys): a NUL, other control characters, overlong text or a key that is not one
/// is refused at once with a validation error naming the field. Before, a NUL reached the
/// database, failed there on every retry and was dead-lettered while the caller timed out.
/// Against the real servers, through request/reply.
@Suite("Planning refuses control characters and overlong text at once", .serialized)
struct TextInputCommandTests {
    /// Expects a validation refusal by `rule` naming exactly `field`.
    static func expectRefused(
        _ refusal: CommandError?, rule: String, field: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(refusal?.kind == .validation, "\(String(describing: refusal))", sourceLocation: sourceLocation)
        #expect(refusal?.rule == rule, sourceLocation: sourceLocation)
        #expect(Set(refusal?.fields?.keys.map { $0 } ?? []) == [field], sourceLocation: sourceLocation)
    }

    @Test("reasons and comments with a NUL, an escape or over 2,000 characters are refused by field; nothing changes")
    func lifecycleText() async throws {
        try await PlanningHarness.run { harness in
            _ = try await harness.send(AddApprover(group: "release-approvers", member: "dave"), as: "admin")
            let key = try await harness.send(
                CreateRelease(title: "Text", requester: "alice", coordinator: "carol"), as: "alice", correlationId: "text-1"
            ).releaseKey
            #expect(try await harness.send(SubmitRelease(releaseKey: key), as: "alice").status == .pendingApproval)
            let started = ContinuousClock.now
            // Each would be allowed in this phase and status: only the text is wrong.
            Self.expectRefused(
                await harness.refusal(ApproveRelease(releaseKey: key, comment: "ok \u{1B}[31m", expectedPhase: .initiate), as: "dave"),
                rule: "releases.well_formed", field: "comment")
            Self.expectRefused(
                await harness.refusal(RejectRelease(releaseKey: key, reason: "no\u{0}", expectedPhase: .initiate), as: "dave"),
                rule: "releases.well_formed", field: "reason")
            #expect(try await harness.send(ApproveRelease(releaseKey: key, comment: "Fine.\nShip it.", expectedPhase: .initiate), as: "dave").status == .inProgress)
            Self.expectRefused(
                await harness.refusal(HoldRelease(releaseKey: key, reason: "held\u{0}back", expectedPhase: .initiate), as: "carol"),
                rule: "releases.well_formed", field: "reason")
            Self.expectRefused(
                await harness.refusal(CancelRelease(releaseKey: key, reason: String(repeating: "x", count: 2_001), expectedPhase: .initiate), as: "carol"),
                rule: "releases.well_formed", field: "reason")
            // At once: the refusals come well inside one request's timeout, not after retries.
            #expect(ContinuousClock.now - started < .seconds(5))
            // Line breaks and tabs are text, not control: a multi-line reason is accepted.
            _ = try await harness.send(CancelRelease(releaseKey: key, reason: "Budget cut.\n\tSee minutes.", expectedPhase: .initiate), as: "carol")
            let record = try await harness.pool.withTransaction { try await ReleaseRepository(schema: harness.schema).lock(key, in: $0) }
            #expect(record.status == "cancelled")
        }
    }

    @Test("change ids and titles with control characters, and affected CIs that are not CI keys, are refused by field")
    func changeText() async throws {
        try await PlanningHarness.run { harness in
            let key = try await harness.send(
                CreateRelease(title: "Changes", requester: "alice", coordinator: "carol"), as: "alice", correlationId: "text-2"
            ).releaseKey
            func change(_ id: String = "CHG0001", title: String = "Patch", cis: [String] = ["CI-APP-0001"]) -> AddChange {
                AddChange(releaseKey: key, change: ChangeRequestInput(externalId: id, title: title, status: "approved", risk: "low", affectedCIs: cis))
            }
            Self.expectRefused(await harness.refusal(change("CHG\u{0}1"), as: "alice"), rule: "changes.well_formed", field: "externalID")
            Self.expectRefused(await harness.refusal(change(title: "Patch\u{0}"), as: "alice"), rule: "changes.well_formed", field: "title")
            let notKeys = await harness.refusal(change(cis: ["CI-APP-0001", "db-payroll"]), as: "alice")
            Self.expectRefused(notKeys, rule: "changes.well_formed", field: "affectedCIs")
            #expect(notKeys?.fields?["affectedCIs"]?.contains("db-payroll") == false, "the bad key is named by position, not echoed")
            Self.expectRefused(
                await harness.refusal(RemoveChange(releaseKey: key, externalId: "CHG\u{0}"), as: "alice"),
                rule: "releases.well_formed", field: "externalId")
            #expect(try await harness.outboxTypes(key) == ["release.created"], "nothing was added or announced")
            // A well-formed change still goes in; CIs the CMDB does not hold are named in the reply.
            _ = try await harness.send(UpsertConfigurationItem(key: "CI-APP-0001", name: "App", ciClass: .application))
            let added = try await harness.send(change(cis: ["CI-APP-0001", "CI-DB-0042"]), as: "alice")
            #expect(added.warnings == ["affectedCIs: not in the CMDB: CI-DB-0042"])
            #expect(try await harness.outboxTypes(key).last == "release.change_added")
        }
    }
}
