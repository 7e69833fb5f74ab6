import Contracts
import Foundation
import PlanningCore
import Testing

@Suite("Release lifecycle rules")
struct LifecycleTests {
    typealias F = LifecycleFixtures
    let now = LifecycleFixtures.now

    @Test func phasesAreInProcessOrderWithWireNames() {
        #expect(ReleasePhase.allCases.map(\.rawValue) == [
            "initiate", "plan", "build", "test", "rollout_plan", "prepare", "deploy", "review",
        ])
        #expect(ReleasePhase.initiate.next == .plan)
        #expect(ReleasePhase.deploy.next == .review)
        #expect(ReleasePhase.review.next == nil)
        #expect(ReleaseStatus.allCases.filter(\.isTerminal) == [.rejected, .cancelled, .backedOut, .completed])
    }

    @Test func submitMovesDraftToPendingApproval() throws {
        let outcome = try ReleaseLifecycle.submit(F.draft(), by: F.requester, at: now)
        #expect(outcome.state.status == .pendingApproval)
        #expect(outcome.events.map(\.messageType) == ["release.submitted", "release.status_changed"])
        #expect(outcome.state.history.map(\.action) == [.submitted])
    }

    @Test func submitWithoutInitiateGateAuthorizesAtOnce() throws {
        let outcome = try ReleaseLifecycle.submit(F.draft(gates: [:]), by: F.requester, at: now)
        #expect(outcome.state.status == .inProgress)
    }

    @Test func submitTwiceIsRefused() throws {
        let pending = try ReleaseLifecycle.submit(F.draft(), by: F.requester, at: now).state
        F.expectRefusal("lifecycle.submit_requires_draft") { () throws(CommandError) in
            try ReleaseLifecycle.submit(pending, by: F.requester, at: now)
        }
    }

    @Test func requiredApprovalsAuthorizeTheRelease() throws {
        var state = try ReleaseLifecycle.submit(F.draft(), by: F.requester, at: now).state
        let first = try ReleaseLifecycle.approve(state, by: "bob", at: now)
        #expect(first.state.status == .pendingApproval)
        #expect(first.events == [.approved(ReleaseApproved(
            releaseKey: "REL-000001", actor: "bob", phase: .initiate, approvals: 1, requiredApprovals: 2,
            gateOpen: false, comment: nil))])
        state = try ReleaseLifecycle.approve(first.state, by: "dave", at: now).state
        #expect(state.status == .inProgress)
        #expect(state.isGateOpen)
    }

    @Test(arguments: [LifecycleFixtures.requester, LifecycleFixtures.coordinator])
    func requesterAndCoordinatorCannotApproveOrReject(actor: String) throws {
        let pending = try ReleaseLifecycle.submit(F.draft(), by: F.requester, at: now).state
        F.expectRefusal("approval.segregation_of_duties", kind: .forbidden) { () throws(CommandError) in
            try ReleaseLifecycle.approve(pending, by: actor, at: now)
        }
        F.expectRefusal("approval.segregation_of_duties", kind: .forbidden) { () throws(CommandError) in
            try ReleaseLifecycle.reject(pending, by: actor, at: now, reason: "no")
        }
    }

    @Test func nobodyApprovesTheSamePhaseTwice() throws {
        let pending = try ReleaseLifecycle.submit(F.draft(), by: F.requester, at: now).state
        let once = try ReleaseLifecycle.approve(pending, by: "bob", at: now).state
        F.expectRefusal("approval.already_approved") { () throws(CommandError) in
            try ReleaseLifecycle.approve(once, by: "bob", at: now)
        }
        F.expectRefusal("approval.already_approved") { () throws(CommandError) in
            try ReleaseLifecycle.reject(once, by: "bob", at: now, reason: "changed my mind")
        }
    }

    @Test func approvingAnOpenGateOrAPhaseWithoutGateIsRefused() throws {
        let authorized = try F.authorized()
        F.expectRefusal("approval.gate_already_open") { () throws(CommandError) in
            try ReleaseLifecycle.approve(authorized, by: "eve", at: now)
        }
        let plan = try F.inPhase(.plan)
        F.expectRefusal("approval.no_gate") { () throws(CommandError) in
            try ReleaseLifecycle.approve(plan, by: "eve", at: now)
        }
        F.expectRefusal("approval.not_awaiting_approval") { () throws(CommandError) in
            try ReleaseLifecycle.approve(F.draft(), by: "eve", at: now)
        }
    }

    @Test func onlyMembersOfTheGatesGroupDecideWhenGroupsAreKnown() throws {
        let pending = try ReleaseLifecycle.submit(F.draft(), by: F.requester, at: now).state
        F.expectRefusal("approval.not_in_approver_group", kind: .forbidden) { () throws(CommandError) in
            try ReleaseLifecycle.approve(pending, by: "bob", at: now, approverGroups: ["qa"])
        }
        let approved = try ReleaseLifecycle.approve(pending, by: "bob", at: now, approverGroups: ["cab", "qa"])
        #expect(approved.state.approvalCount == 1)
    }

    @Test func rejectionNeedsAReasonAndIsTerminal() throws {
        let pending = try ReleaseLifecycle.submit(F.draft(), by: F.requester, at: now).state
        F.expectRefusal("approval.reason_required", kind: .validation) { () throws(CommandError) in
            try ReleaseLifecycle.reject(pending, by: "bob", at: now, reason: "  ")
        }
        let rejected = try ReleaseLifecycle.reject(pending, by: "bob", at: now, reason: "no backout plan")
        #expect(rejected.state.status == .rejected)
        #expect(rejected.state.history.last?.reason == "no backout plan")
        #expect(rejected.state.approvals.last?.verdict == .rejected)
        F.expectRefusal("lifecycle.terminal_status") { () throws(CommandError) in
            try ReleaseLifecycle.resume(rejected.state, by: F.coordinator, at: now)
        }
    }

    @Test func advanceMovesExactlyOnePhase() throws {
        let outcome = try ReleaseLifecycle.advance(try F.authorized(), by: F.coordinator, at: now, exitCriteria: [])
        #expect(outcome.state.phase == .plan)
        #expect(outcome.state.approvals.isEmpty)
        #expect(outcome.events == [.phaseChanged(ReleasePhaseChanged(
            releaseKey: "REL-000001", actor: F.coordinator, from: .initiate, to: .plan))])
    }

    @Test func advanceNeedsInProgressAndAnOpenGate() throws {
        let pending = try ReleaseLifecycle.submit(F.draft(), by: F.requester, at: now).state
        F.expectRefusal("lifecycle.not_in_progress") { () throws(CommandError) in
            try ReleaseLifecycle.advance(pending, by: F.coordinator, at: now, exitCriteria: [])
        }
        let test = try F.inPhase(.test)
        F.expectRefusal("lifecycle.gate_not_approved") { () throws(CommandError) in
            try ReleaseLifecycle.advance(test, by: F.coordinator, at: now, exitCriteria: [])
        }
        let review = try F.inPhase(.review)
        F.expectRefusal("lifecycle.phase_order") { () throws(CommandError) in
            try ReleaseLifecycle.advance(review, by: F.coordinator, at: now, exitCriteria: [])
        }
    }

    @Test func advanceReportsEveryFailingCriterion() throws {
        let plan = try F.inPhase(.plan)
        let criteria = [
            ExitCriterionResult(name: "tasks_done", severity: .error, passed: false, detail: "2 tasks open"),
            ExitCriterionResult(name: "cis_identified", severity: .error, passed: false),
            ExitCriterionResult(name: "job_plan_applied", severity: .warning, passed: false),
            ExitCriterionResult(name: "changes_added", severity: .error, passed: true),
        ]
        let error = F.expectRefusal("lifecycle.exit_criteria_failed") { () throws(CommandError) in
            try ReleaseLifecycle.advance(plan, by: F.coordinator, at: now, exitCriteria: criteria)
        }
        #expect(error?.fields?.keys.sorted() == ["cis_identified", "job_plan_applied", "tasks_done"])
        #expect(error?.message.contains("tasks_done, cis_identified") == true)

        let warningsOnly = Array(criteria.dropFirst(2))
        let outcome = try ReleaseLifecycle.advance(plan, by: F.coordinator, at: now, exitCriteria: warningsOnly)
        #expect(outcome.state.phase == .build)
        #expect(outcome.warnings.map(\.name) == ["job_plan_applied"])
    }

    @Test func holdAndResume() throws {
        let plan = try F.inPhase(.plan)
        let held = try ReleaseLifecycle.hold(plan, by: F.coordinator, at: now, reason: "freeze")
        #expect(held.state.status == .onHold)
        F.expectRefusal("lifecycle.not_in_progress") { () throws(CommandError) in
            try ReleaseLifecycle.advance(held.state, by: F.coordinator, at: now, exitCriteria: [])
        }
        F.expectRefusal("lifecycle.not_on_hold") { () throws(CommandError) in
            try ReleaseLifecycle.resume(plan, by: F.coordinator, at: now)
        }
        #expect(try ReleaseLifecycle.resume(held.state, by: F.coordinator, at: now).state.status == .inProgress)
    }

    @Test func cancelFromAnyNonTerminalStatus() throws {
        for state in [F.draft(), try F.inPhase(.build)] {
            let cancelled = try ReleaseLifecycle.cancel(state, by: F.coordinator, at: now, reason: "superseded")
            #expect(cancelled.state.status == .cancelled)
            F.expectRefusal("lifecycle.terminal_status") { () throws(CommandError) in
                try ReleaseLifecycle.cancel(cancelled.state, by: F.coordinator, at: now)
            }
        }
    }

    @Test func closeOnlyFromReviewWithItsGateOpen() throws {
        let deploy = try F.inPhase(.deploy)
        F.expectRefusal("lifecycle.close_requires_review") { () throws(CommandError) in
            try ReleaseLifecycle.close(deploy, by: F.coordinator, at: now)
        }
        let review = try F.inPhase(.review)
        F.expectRefusal("lifecycle.gate_not_approved") { () throws(CommandError) in
            try ReleaseLifecycle.close(review, by: F.coordinator, at: now)
        }
        let approved = try ReleaseLifecycle.approve(review, by: "eve", at: now).state
        let closed = try ReleaseLifecycle.close(approved, by: F.coordinator, at: now)
        #expect(closed.state.status == .completed)
    }

    @Test func backOutOnlyDuringDeploy() throws {
        let prepare = try F.inPhase(.prepare)
        F.expectRefusal("lifecycle.backout_requires_deploy") { () throws(CommandError) in
            try ReleaseLifecycle.backOut(prepare, by: "service:rollout", at: now, reason: "x")
        }
        let backedOut = try ReleaseLifecycle.backOut(try F.inPhase(.deploy), by: "service:rollout", at: now, reason: "wave 1 failed")
        #expect(backedOut.state.status == .backedOut)
    }
}
