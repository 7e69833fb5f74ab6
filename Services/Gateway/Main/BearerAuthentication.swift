import Foundation
import GatewayCore
import HTTPTypes
import Hummingbird
import Logging

/// Authenticates every `/api/v1/` route but the public ones (the document, the login, the
/// calendar at a subscription URL):
/// `Authorization: Bearer <token>`, or the `shipboard_session` cookie set at login. With the
/// cookie, every POST, PUT, PATCH and DELETE must also carry `X-CSRF-Token` (SameSite=Strict
/// already keeps other sites' forms from sending it; the token covers the rest). A missing,
/// malformed, expired or revoked credential is 401 and says nothing more. The user joins the
/// ``RequestScope``: every command's actor is this user, never a field of the request.
struct BearerAuthentication<Context: RequestContext>: RouterMiddleware {
    let store: IdentityStore
    let cache: AuthenticationCache
    let logger: Logger
    static var publicRoutes: Set<String> { ["GET /api/v1/openapi.json", "POST /api/v1/session"] }
    static var csrfHeader: HTTPField.Name { HTTPField.Name("X-CSRF-Token")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/"), !Self.publicRoutes.contains("\(request.method.rawValue) \(path)"),
              !(request.method == .get && path.hasPrefix(CalendarFeedRoute.prefix))
        else {
            return try await next(request, context)
        }
        var scope = RequestScope.current
            ?? RequestScope(requestID: UUID().uuidString.lowercased(), trace: .fresh(), clientAddress: "unknown")
        do {
            if let header = request.headers[.authorization] {
                if header.hasPrefix("Bearer ") { scope.user = try await bearerUser(String(header.dropFirst(7))) }
            } else if let cookie = SessionCookie.value(in: request.headers[values: .cookie]),
                      let (user, csrfHash) = try await store.authenticate(session: cookie) {
                if !["GET", "HEAD", "OPTIONS"].contains(request.method.rawValue) {
                    guard let csrf = request.headers[Self.csrfHeader].flatMap(APIToken.init(presented:)), csrf.storedHash == csrfHash else {
                        return APIProblem(kind: "forbidden", rule: "auth.csrf", status: 403,
                                          detail: "a request made with the session cookie needs its X-CSRF-Token").httpResponse()
                    }
                }
                scope.user = user
                scope.sessionCookie = cookie
            }
        } catch {
            logger.warning("cannot check a credential", metadata: ["error": "\(error)"])
            return APIProblem(kind: "unavailable", rule: "auth.store", status: 503,
                              detail: "identities cannot be checked right now; try again").httpResponse()
        }
        guard scope.user != nil else {
            return APIProblem(kind: "unauthorized", rule: "auth.token", status: 401, detail: "a valid bearer token is required")
                .httpResponse(headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await RequestScope.$current.withValue(scope) { try await next(request, context) }
    }

    private func bearerUser(_ token: String) async throws -> GatewayUser? {
        if let user = await cache.user(for: token) { return user }
        guard let (user, expiresIn) = try await store.authenticateWithExpiry(token: token) else { return nil }
        await cache.store(user, for: token, expiresIn: expiresIn)
        return user
    }
}

/// The session cookie: its name, attributes, and reading it from `Cookie` headers.
enum SessionCookie {
    static let name = "shipboard_session"

    /// HttpOnly (no script reads it), Secure, SameSite=Strict (no other site's page sends it),
    /// scoped to the API.
    static func setting(_ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/api; Max-Age=\(maxAge); HttpOnly; Secure; SameSite=Strict"
    }

    static var clearing: String { setting("", maxAge: 0) }

    static func value(in headers: [String]) -> String? { value(named: name, in: headers) }

    /// The value of the cookie `cookie` in `Cookie` headers (the dashboard's cookies too).
    static func value(named cookie: String, in headers: [String]) -> String? {
        for header in headers {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == cookie, !parts[1].isEmpty { return parts[1] }
            }
        }
        return nil
    }
}

extension APIProblem {
    /// The problem as a Hummingbird response, for the HTTP middlewares that run before the
    /// generated server (authentication, body limits).
    func httpResponse(headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        headers.append(contentsOf: extra)
        let body = (try? JSONEncoder().encode(self)) ?? Data()
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
