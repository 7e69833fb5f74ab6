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
        guard DashboardReleaseFilter.isReleaseKeyShaped(key) else { return .refused(pages.unknownRelease(session: session)) }
        do {
            return .open(session, try await api.releases.release(key))
        } catch let refusal as CommandError where refusal.kind == .notFound {
            return .refused(pages.unknownRelease(session: session))
        }
    }
}
