import Contracts
import GatewayCore
import Hummingbird
import PlanningCore

extension DashboardRoutes {
    /// A release's page (or stream) either opens, with the session and the release, or is
    /// refused with the page to answer.
    enum OpenedRelease {
        case open(DashboardSession, ReleaseDetail)
        case refused(Response)
    }

    /// The checks every view of one release starts with, in this order: a session
    /// (`signedOut` answers its absence: a redirect for a page, a 401 for a stream), the role
    /// (``GatewayAccess``: `getRelease` and `also`), a key of the right shape, then the API's
    /// release query (an unknown release is the same 404 page as a malformed key).
    func openRelease(_ request: Request, key: String, signedOut: Response, also operation: String? = nil) async throws -> OpenedRelease {
        guard let session = try await DashboardSession.current(request, identities: api.identities) else { return .refused(signedOut) }
        let roles = session.user.roles
        guard GatewayAccess.allows("getRelease", roles: roles), operation.map({ GatewayAccess.allows($0, roles: roles) }) ?? true else {
            return .refused(pages.notAllowed(session: session))
        }
        guard ReleaseKeys.isValid(key) else { return .refused(pages.unknownRelease(session: session)) }
        do {
            return .open(session, try await api.releases.release(key))
        } catch let refusal as CommandError where refusal.kind == .notFound {
            return .refused(pages.unknownRelease(session: session))
        }
    }
}

extension DashboardRoutes {
    /// A form POST either passes the checks every form starts with, with its fields and the
    /// session, or is refused with the page to answer.
    enum PostedForm {
        case accepted(FormFields, DashboardSession)
        case refused(Response)
    }

    /// The checks of every form POST, before anything else, in this order: the form's CSRF
    /// token must be the session's (no session or another token: the 403 "form refused"
    /// page), then the role must allow `operation` (``GatewayAccess``, as the API's
    /// authorization). The route's own checks and the API's operation come after.
    func postedForm(_ request: Request, operation: String) async throws -> PostedForm {
        let form = await Self.form(request)
        let session = try await DashboardSession.current(request, identities: api.identities)
        guard let session, session.accepts(csrf: form["csrf"]) else { return .refused(pages.forgedForm(session: session)) }
        guard GatewayAccess.allows(operation, roles: session.user.roles) else { return .refused(pages.notAllowed(session: session)) }
        return .accepted(form, session)
    }
}
