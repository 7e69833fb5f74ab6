import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import Hummingbird

extension DashboardRoutes {
    /// Approve or reject from the release page: the CSRF token first, then the role
    /// (``GatewayAccess``, as the API's authorization), then the API's own operation, which
    /// checks the gate's group and sends the command to planning as the user. The form's
    /// idempotency key makes a double submit one decision; the expected phase and version
    /// make a decision on a stale page a conflict.
    func decide(_ request: Request, key: String, approve: Bool) async throws -> Response {
        let form = await Self.form(request)
        let session = try await DashboardSession.current(request, identities: api.identities)
        guard let session, session.accepts(csrf: form["csrf"]) else { return pages.forgedForm(session: session) }
        guard GatewayAccess.allows(approve ? "approveRelease" : "rejectRelease", roles: session.user.roles) else {
            return pages.notAllowed(session: session)
        }
        guard DashboardReleaseFilter.isReleaseKeyShaped(key) else { return pages.unknownRelease(session: session) }
        let back = "/ui/releases/\(key)"
        let text = (approve ? form["comment"] : form["reason"]).flatMap { $0.isEmpty ? nil : $0 }
        guard let phase = form["expectedPhase"].flatMap(Components.Schemas.Phase.init(rawValue:)),
              (text?.count ?? 0) <= 1000, approve || text != nil
        else {
            return pages.problem(.badRequest, "Decision not sent",
                                 approve ? "The comment is too long (at most 1000 characters)."
                                         : "A rejection needs a reason of at most 1000 characters.",
                                 session: session, back: back)
        }
        let version = form["expectedVersion"].flatMap { Int($0) }
        let idempotencyKey = form["idempotencyKey"].flatMap { UUID(uuidString: $0) }?.uuidString
        do {
            try await asUser(session) {
                if approve {
                    _ = try await api.approveRelease(.init(
                        path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                        body: .json(.init(comment: text, expectedPhase: phase, expectedVersion: version))))
                } else {
                    _ = try await api.rejectRelease(.init(
                        path: .init(key: key), headers: .init(Idempotency_hyphen_Key: idempotencyKey),
                        body: .json(.init(reason: text ?? "", expectedPhase: phase, expectedVersion: version))))
                }
            }
        } catch let refusal as CommandError {
            return pages.problem(.init(code: HTTPProblemStatus.code(for: refusal.kind)), "Decision refused", refusal.message,
                                 session: session, back: back)
        }
        return DashboardPages.redirect("\(back)?decided=\(approve ? "approved" : "rejected")")
    }
}
