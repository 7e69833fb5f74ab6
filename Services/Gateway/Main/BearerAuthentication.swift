import Foundation
import GatewayCore
import Hummingbird
import Logging

/// Authenticates `Authorization: Bearer <token>` on every `/api/v1/` route except the
/// document itself; a missing, malformed, expired or revoked token is 401 with a problem body
/// that says nothing more. Health and metrics routes are not under `/api/`. The user joins
/// the ``RequestScope``: every command's actor is this user, never a field of the request.
struct BearerAuthentication<Context: RequestContext>: RouterMiddleware {
    let store: IdentityStore
    let logger: Logger
    static var publicPaths: Set<String> { ["/api/v1/openapi.json"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/"), !Self.publicPaths.contains(path) else { return try await next(request, context) }
        let user: GatewayUser?
        do {
            if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
                user = try await store.authenticate(token: String(header.dropFirst("Bearer ".count)))
            } else {
                user = nil
            }
        } catch {
            logger.warning("cannot check a token", metadata: ["error": "\(error)"])
            return APIProblem(kind: "unavailable", rule: "auth.store", status: 503,
                              detail: "identities cannot be checked right now; try again").httpResponse()
        }
        guard let user else {
            return APIProblem(kind: "unauthorized", rule: "auth.token", status: 401, detail: "a valid bearer token is required")
                .httpResponse(headers: [.wwwAuthenticate: "Bearer"])
        }
        var scope = RequestScope.current ?? RequestScope(requestID: UUID().uuidString.lowercased(), trace: .fresh(), user: nil)
        scope.user = user
        return try await RequestScope.$current.withValue(scope) { try await next(request, context) }
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
