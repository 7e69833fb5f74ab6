import Foundation
import GatewayCore
import HTTPTypes
import Hummingbird

/// The dashboard's sign-in: the same sessions as the API's browser login
/// (``IdentityStore/login(name:password:totp:address:)``, table `gateway.sessions`), carried
/// in cookies scoped to `/ui` (the API's cookie is scoped to `/api`).
///
/// - The session cookie and the session's CSRF token are both HttpOnly, Secure,
///   SameSite=Strict: no script and no other site's page can read or send them.
/// - The CSRF token travels in a cookie only so that the server can put it into its forms;
///   a POST is accepted only when the form's `csrf` field hashes to the token stored with
///   the session (a cookie alone never passes).
/// - Before there is a session, the login form carries a random token that must match its
///   own cookie (`shipboard_ui_login`), so no other site can sign a browser in.
struct DashboardSession: Sendable {
    let user: GatewayUser
    /// The session cookie's value (logout revokes it).
    let cookie: String
    /// What the session's forms carry in `csrf` (nil when the browser lost the cookie: it
    /// then sees pages but its forms are refused until it signs in again).
    let csrfToken: String?
    let csrfHash: String

    static let sessionCookie = "shipboard_ui_session"
    static let csrfCookie = "shipboard_ui_csrf"
    static let loginCookie = "shipboard_ui_login"

    /// The signed-in session of `request`, or nil.
    static func current(_ request: Request, identities: IdentityStore) async throws -> DashboardSession? {
        let cookies = request.headers[values: .cookie]
        guard let cookie = value(of: sessionCookie, in: cookies),
              let (user, csrfHash) = try await identities.authenticate(session: cookie)
        else { return nil }
        return DashboardSession(user: user, cookie: cookie, csrfToken: value(of: csrfCookie, in: cookies), csrfHash: csrfHash)
    }

    /// Whether a form's `csrf` field is this session's token.
    func accepts(csrf presented: String?) -> Bool {
        guard let presented, let token = APIToken(presented: presented) else { return false }
        return token.storedHash == csrfHash
    }

    /// `Set-Cookie` for one of the dashboard's cookies; `maxAge` 0 clears it.
    static func setting(_ name: String, _ value: String, maxAge: Int, path: String = "/ui") -> HTTPField {
        HTTPField(name: .setCookie, value: "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; Secure; SameSite=Strict")
    }

    static func value(of name: String, in headers: [String]) -> String? { SessionCookie.value(named: name, in: headers) }
}
