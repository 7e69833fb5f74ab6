import Foundation
import GatewayCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The web dashboard (issue 15) under `/ui`: HTML pages rendered on the server from
/// ``DashboardTemplates``. These routes are deliberately not in openapi.json: they answer
/// HTML for a browser, not the API's JSON. They reuse the API's code paths: the login and
/// sessions of ``IdentityStore``, the queries of ``GatewayAPIHandler``, its operations for
/// commands (so the same object-level checks run), and ``GatewayAccess`` for roles.
///
/// - Every POST reads its form and checks its CSRF token before anything else; a missing
///   or wrong token is a 403 page and nothing happens.
/// - A page asked for without a session redirects to the sign-in form.
/// - A failure is a page (``DashboardProblemMiddleware``): a database that is away is a 503
///   that says to try again, never a hang or a bare 500.
struct DashboardRoutes: Sendable {
    let api: GatewayAPIHandler
    let pages: DashboardPages

    /// Longest form body read; more is refused before parsing (the forms hold a few fields).
    static let formLimit = 64 * 1024

    func register(on router: Router<GatewayRequestContext>, logger: Logger) {
        let ui = router.group("/ui").add(middleware: DashboardProblemMiddleware(pages: pages, logger: logger))
        ui.get { _, _ in DashboardPages.redirect("/ui/releases") }
        ui.get("login") { request, _ in try await loginForm(request) }
        ui.post("login") { request, _ in try await login(request) }
        ui.post("logout") { request, _ in try await logout(request) }
        ui.get("releases") { request, _ in try await releaseList(request) }
        ui.get("releases/:key") { request, context in
            try await releasePage(request, key: context.parameters.get("key") ?? "")
        }
        ui.post("releases/:key/approve") { request, context in
            try await decide(request, key: context.parameters.get("key") ?? "", approve: true)
        }
        ui.post("releases/:key/reject") { request, context in
            try await decide(request, key: context.parameters.get("key") ?? "", approve: false)
        }
        registerReports(on: ui)
        registerSections(on: ui)
    }

    func loginForm(_ request: Request) async throws -> Response {
        if try await DashboardSession.current(request, identities: api.identities) != nil { return DashboardPages.redirect("/ui/releases") }
        return loginPage(message: nil, status: .ok)
    }

    /// The API's login (same limits, same sessions); on success the session's cookies and a
    /// redirect to the release list. A refusal shows the form again and never says whether
    /// the name or the password was wrong.
    func login(_ request: Request) async throws -> Response {
        let form = await Self.form(request)
        guard let presented = form["csrf"], let expected = DashboardSession.value(of: DashboardSession.loginCookie, in: request.headers[values: .cookie]),
              APIToken(presented: presented) != nil, presented == expected
        else { return pages.forgedForm(session: nil) }
        let totp = form["totp"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            let (_, session) = try await api.identities.login(
                name: form["name"] ?? "", password: form["password"] ?? "", totp: totp,
                address: RequestScope.current?.clientAddress ?? "unknown")
            let maxAge = Int(IdentityStore.sessionLifetime.components.seconds)
            return DashboardPages.redirect("/ui/releases", cookies: [
                DashboardSession.setting(DashboardSession.sessionCookie, session.cookie, maxAge: maxAge),
                DashboardSession.setting(DashboardSession.csrfCookie, session.csrfToken, maxAge: maxAge),
                DashboardSession.setting(DashboardSession.loginCookie, "", maxAge: 0, path: "/ui/login"),
            ])
        } catch let refusal as LoginRefusal {
            switch refusal {
            case .badCredentials: return loginPage(message: "The name or the password is wrong.", status: .unauthorized)
            case .secondFactor: return loginPage(message: "A valid one-time code is required for this account.", status: .unauthorized)
            case .throttled(let until):
                let wait = max(1, Int(until.timeIntervalSinceNow.rounded(.up)))
                var page = loginPage(message: "Too many failed sign-ins; try again in \(wait) seconds.", status: .tooManyRequests)
                page.headers[.retryAfter] = "\(wait)"
                return page
            }
        }
    }

    /// Ends the session (the API's logout) and clears the cookies. Without a session there
    /// is nothing to end: back to the sign-in form.
    func logout(_ request: Request) async throws -> Response {
        let form = await Self.form(request)
        guard let session = try await DashboardSession.current(request, identities: api.identities) else {
            return DashboardPages.redirect("/ui/login")
        }
        guard session.accepts(csrf: form["csrf"]) else { return pages.forgedForm(session: session) }
        try await api.identities.revokeSession(session.cookie)
        return DashboardPages.redirect("/ui/login", cookies: [
            DashboardSession.setting(DashboardSession.sessionCookie, "", maxAge: 0),
            DashboardSession.setting(DashboardSession.csrfCookie, "", maxAge: 0),
        ])
    }

    /// The sign-in form with a fresh login token, in the form and in its cookie.
    private func loginPage(message: String?, status: HTTPResponse.Status) -> Response {
        let token = APIToken.generate().secret
        var values: [String: Any] = ["loginToken": token]
        if let message { values["message"] = message }
        return pages.page("login", title: "Sign in", values, status: status,
                          cookies: [DashboardSession.setting(DashboardSession.loginCookie, token, maxAge: 3600, path: "/ui/login")])
    }

    /// The fields of an `application/x-www-form-urlencoded` body; none when the body is over
    /// ``formLimit`` (then no CSRF token is found and the POST is refused).
    static func form(_ request: Request) async -> FormFields {
        guard let buffer = try? await request.body.collect(upTo: formLimit) else { return FormFields("") }
        return FormFields(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// Runs `body` as the session's user: what the API's operations and commands read.
    func asUser<Result: Sendable>(_ session: DashboardSession, _ body: () async throws -> Result) async throws -> Result {
        var scope = RequestScope.current
            ?? RequestScope(requestID: UUID().uuidString.lowercased(), trace: .fresh(), clientAddress: "unknown")
        scope.user = session.user
        scope.sessionCookie = session.cookie
        return try await RequestScope.$current.withValue(scope) { try await body() }
    }
}
