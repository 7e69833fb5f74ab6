import Contracts
import Foundation
import GatewayAPI
import GatewayCore
import Hummingbird
import PlanningCore

extension DashboardRoutes {
    /// Approve or reject from the release page: the CSRF token first, then the role
    /// (``GatewayAccess``, as the API's authorization), then the API's own operation, which
    /// checks the gate's group and sends the command to planning as the user. The form's
    /// idempotency key makes a double submit one decision; the expected phase and version
    /// make a decision on a stale page a conflict.
    func decide(_ request: Request, key: String, approve: Bool) async throws -> Response {
        let (form, session): (FormFields, DashboardSession)
        switch try await postedForm(request, operation: approve ? "approveRelease" : "rejectRelease") {
        case .refused(let page): return page
        case .accepted(let fields, let signedIn): (form, session) = (fields, signedIn)
        }
        guard ReleaseKeys.isValid(key) else { return pages.unknownRelease(session: session) }
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
        let idempotencyKey = Self.idempotencyKey(form)
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
            return refused(refusal, "Decision refused", session: session, back: back)
        }
        return DashboardPages.redirect("\(back)?decided=\(approve ? "approved" : "rejected")")
    }
}
