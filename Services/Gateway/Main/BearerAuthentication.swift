import Foundation
import GatewayCore
import Hummingbird

/// The authenticated user of the request being handled (set by ``BearerAuthentication``).
enum CurrentUser {
    @TaskLocal static var value: GatewayUser?
}

/// Authenticates `Authorization: Bearer <token>` on every `/api/v1/` route except the
/// document itself; a missing, malformed, expired or revoked token is 401 with a problem body
/// that says nothing more. Health and metrics routes are not under `/api/`.
struct BearerAuthentication<Context: RequestContext>: RouterMiddleware {
    let store: IdentityStore
    static var publicPaths: Set<String> { ["/api/v1/openapi.json"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/"), !Self.publicPaths.contains(path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              let user = try await store.authenticate(token: String(header.dropFirst("Bearer ".count)))
        else {
            return Problem(kind: "unauthorized", rule: "auth.token", title: "Unauthorized", status: 401,
                           detail: "a valid bearer token is required").response(headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await CurrentUser.$value.withValue(user) { try await next(request, context) }
    }
}

/// An RFC 9457 problem as the middleware writes it (the API handlers use the generated type).
struct Problem: Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let rule: String

    init(kind: String, rule: String, title: String, status: Int, detail: String) {
        self.type = "urn:shipboard:problem:\(kind):\(rule)"
        self.title = title
        self.status = status
        self.detail = detail
        self.rule = rule
    }

    func response(headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        headers.append(contentsOf: extra)
        let body = (try? JSONEncoder().encode(self)) ?? Data()
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
