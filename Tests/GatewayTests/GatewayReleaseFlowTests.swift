import Foundation
import GatewayCore
import Testing

/// A release driven through the gateway as real users, planning behind it: the actor is the
/// token's user, self-approval is refused, an approver outside the gate's group gets a bare
/// 403, a resend with the same Idempotency-Key applies once, and the audit trail verifies.
@Suite("Gateway: a release through the API", .serialized)
struct GatewayReleaseFlowTests {
    @Test("create, change, submit, approve as the right people; wrong people refused; resend applied once; audit verifies")
    func releaseThroughTheAPI() async throws {
        try await GatewayStack.with { stack in
            let manager = stack.name(.releaseManager)
            // The group the default initiate gate names; the approver joins it through the API.
            let join = try await stack.call("PUT", "/api/v1/groups/release-approvers/members/\(stack.name(.approver))", as: .admin)
            #expect(join.status == 200, "\(String(decoding: join.data, as: UTF8.self))")
            // Someone who is both release manager and approver, and in the group.
            let both = try await stack.user("both", roles: [.releaseManager, .approver])
            _ = try await stack.call("PUT", "/api/v1/groups/release-approvers/members/both-\(stack.suffix)", as: .admin)
            let outsider = try await stack.user("outsider", roles: [.approver])

            let key = UUID().uuidString
            let create = try await stack.call(
                "POST", "/api/v1/releases", token: both, json: ["title": "Payroll 7.2", "type": "minor", "businessJustification": "tax"],
                headers: ["Idempotency-Key": key])
            #expect(create.status == 201, "\(String(decoding: create.data, as: UTF8.self))")
            let releaseKey = try #require(create.json["releaseKey"] as? String)
            // The same request again (a timeout, a double click): the same release, not a second one.
            let again = try await stack.call(
                "POST", "/api/v1/releases", token: both, json: ["title": "Payroll 7.2", "type": "minor", "businessJustification": "tax"],
                headers: ["Idempotency-Key": key])
            #expect(again.status == 201 && again.json["releaseKey"] as? String == releaseKey)
            let mine = try await stack.call("GET", "/api/v1/releases?q=Payroll%207.2&limit=200", as: .viewer)
            let keys = (mine.json["items"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
            #expect(keys.filter { $0 == releaseKey }.count == 1)

            // The actor is the token's user, never a field the client sends.
            let forged = try await stack.call("POST", "/api/v1/releases", token: both, json: ["title": "x", "actor": manager])
            #expect(forged.status == 400 && forged.isProblem)
            #expect((forged.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/actor")

            let change = try await stack.call(
                "POST", "/api/v1/releases/\(releaseKey)/changes", token: both,
                json: ["externalId": "CHG-\(stack.suffix)", "title": "Tax tables", "status": "approved", "risk": "low"])
            #expect(change.status == 200, "\(String(decoding: change.data, as: UTF8.self))")
            let submit = try await stack.call("POST", "/api/v1/releases/\(releaseKey)/submit", token: both)
            #expect(submit.status == 200 && submit.json["status"] as? String == "pending_approval")

            // Self-approval: the creator is in the group and holds the role, and planning refuses.
            let selfApproval = try await stack.call(
                "POST", "/api/v1/releases/\(releaseKey)/approve", token: both, json: ["expectedPhase": "initiate"])
            #expect(selfApproval.status == 403 && selfApproval.problemType == "urn:shipboard:problem:forbidden:approval.segregation_of_duties",
                    "\(String(decoding: selfApproval.data, as: UTF8.self))")
            // An approver outside the gate's group: 403 that names nothing.
            let outside = try await stack.call(
                "POST", "/api/v1/releases/\(releaseKey)/approve", token: outsider, json: ["expectedPhase": "initiate"])
            #expect(outside.status == 403 && outside.problemType == "urn:shipboard:problem:forbidden:auth.object")
            #expect(!(String(decoding: outside.data, as: UTF8.self)).contains("release-approvers"))
            // A stale view: the approver saw another phase.
            let stale = try await stack.call(
                "POST", "/api/v1/releases/\(releaseKey)/approve", as: .approver, json: ["expectedPhase": "plan"])
            #expect(stale.status == 409, "\(String(decoding: stale.data, as: UTF8.self))")
            let approve = try await stack.call(
                "POST", "/api/v1/releases/\(releaseKey)/approve", as: .approver, json: ["expectedPhase": "initiate", "comment": "ok"])
            #expect(approve.status == 200 && approve.json["status"] as? String == "in_progress", "\(String(decoding: approve.data, as: UTF8.self))")

            let detail = try await stack.call("GET", "/api/v1/releases/\(releaseKey)", as: .viewer)
            #expect(detail.status == 200 && detail.json["phase"] as? String == "initiate" && detail.json["status"] as? String == "in_progress")
            let history = detail.json["history"] as? [[String: Any]] ?? []
            #expect(history.map { $0["actor"] as? String } == ["both-\(stack.suffix)", stack.name(.approver)])
            #expect((detail.json["changes"] as? [[String: Any]])?.count == 1)

            let audit = try await stack.call("GET", "/api/v1/releases/\(releaseKey)/audit", as: .viewer)
            let actors = (audit.json["entries"] as? [[String: Any]] ?? []).compactMap { $0["actor"] as? String }
            #expect(actors.first == "both-\(stack.suffix)" && actors.contains(stack.name(.approver)))
            let verdict = try await stack.call("GET", "/api/v1/releases/\(releaseKey)/audit/verification", as: .viewer)
            #expect(verdict.status == 200 && verdict.json["intact"] as? Bool == true && verdict.json["entries"] as? Int == actors.count,
                    "\(String(decoding: verdict.data, as: UTF8.self))")
        }
    }
}
