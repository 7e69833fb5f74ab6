import Contracts
import Foundation
import PlanningCore
import Testing

/// Releases and helpers shared by the lifecycle tests (pure: no database).
enum LifecycleFixtures {
    static let requester = "alice"
    static let coordinator = "carol"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A draft release with a CAB gate on initiate (2 approvals) and a single approval on test and review.
    static func draft(gates: [ReleasePhase: ApprovalGate]? = nil) -> ReleaseState {
        ReleaseState(
            key: "REL-000001", type: .minor, requester: requester, coordinator: coordinator,
            gates: gates ?? [
                .initiate: ApprovalGate(approverGroup: "cab", requiredApprovals: 2),
                .test: ApprovalGate(approverGroup: "qa"),
                .review: ApprovalGate(approverGroup: "release-managers"),
            ])
    }

    /// A release submitted and authorized: `initiate`/`in_progress`.
    static func authorized() throws -> ReleaseState {
        var state = try ReleaseLifecycle.submit(draft(), by: requester, at: now).state
        state = try ReleaseLifecycle.approve(state, by: "bob", at: now).state
        return try ReleaseLifecycle.approve(state, by: "dave", at: now).state
    }

    /// An authorized release advanced (approving gates with `eve`) until it reaches `phase`.
    static func inPhase(_ phase: ReleasePhase) throws -> ReleaseState {
        var state = try authorized()
        while state.phase < phase {
            if !state.isGateOpen { state = try ReleaseLifecycle.approve(state, by: "eve", at: now).state }
            state = try ReleaseLifecycle.advance(state, by: coordinator, at: now, exitCriteria: []).state
        }
        return state
    }

    /// Expects `body` to throw a `CommandError` of `kind` naming `rule`; returns it.
    @discardableResult
    static func expectRefusal<Result>(
        _ rule: String, kind: CommandError.Kind = .conflict,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Result
    ) -> CommandError? {
        do {
            let result = try body()
            let got = (result as? LifecycleOutcome).map { "\($0.state.phase)/\($0.state.status)" } ?? "\(result)"
            Issue.record("expected \(rule), got \(got)", sourceLocation: sourceLocation)
            return nil
        } catch let error as CommandError {
            #expect(error.rule == rule, sourceLocation: sourceLocation)
            #expect(error.kind == kind, sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected \(rule), got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}
