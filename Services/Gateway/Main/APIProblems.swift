import Contracts
import Foundation
import GatewayCore
import HTTPTypes
import Logging
import OpenAPIRuntime
import Postgres

/// Turns every failure of an API operation into an RFC 9457 problem, in one place: a
/// `CommandError` a handler throws (or planning answered) by its kind and rule; a request the
/// generated server could not decode as 400 naming the field by JSON pointer; anything else
/// as the runtime's 4xx, or a 500 that is logged with the request id and says nothing more.
struct ProblemMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let error as ServerError {
            let problem = Self.problem(for: error)
            if problem.status >= 500 && problem.status != 503 && problem.status != 504 {
                logger.error("operation failed", metadata: [
                    "operation": "\(operationID)", "request.id": "\(RequestScope.current?.requestID ?? "-")",
                    "error": "\(error.underlyingError)",
                ])
            }
            return problem.response
        }
    }

    static func problem(for error: ServerError) -> APIProblem {
        if let refusal = error.underlyingError as? CommandError { return APIProblem(refusal) }
        if let decoding = error.underlyingError as? DecodingError { return APIProblem(decoding) }
        // PostgreSQL away (down, restarting, the pool's wait over) or too slow: the caller may
        // retry; nothing was changed by a query, and a command's fate is planning's answer.
        switch PostgresFailureKind(classifying: error.underlyingError) {
        case .unavailable, .timeout:
            return APIProblem(kind: "unavailable", rule: "database.unavailable", status: 503,
                              detail: "the database is not available right now; try again shortly")
        case .conflict, .permanent: break
        }
        let status = error.httpStatus.code
        guard (400..<500).contains(status) else {
            return APIProblem(kind: "internal", rule: "unspecified", status: 500, detail: "the request failed; the error is logged")
        }
        return APIProblem(
            kind: "validation", rule: "requests.well_formed", status: status,
            detail: "the request is malformed: \(error.causeDescription.prefix(200))")
    }
}

/// Function-level authorization for every operation, from ``GatewayAccess``'s one table,
/// before the request body is even decoded. A denial is 403 and says nothing about the object.
struct AuthorizationMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard GatewayAccess.allows(operationID, roles: RequestScope.current?.user?.roles) else {
            return APIProblem.forbidden.response
        }
        return try await next(request, body, metadata)
    }
}

/// A problem as the API writes it (`application/problem+json`).
struct APIProblem: Encodable {
    struct FieldError: Encodable {
        let pointer: String
        let detail: String
    }

    let type: String
    let title: String
    let status: Int
    let detail: String
    let rule: String
    let errors: [FieldError]?

    init(kind: String, rule: String, status: Int, detail: String, errors: [FieldError]? = nil) {
        self.type = "urn:shipboard:problem:\(kind):\(rule)"
        self.title = Self.titles[status] ?? "Error"
        self.status = status
        self.detail = detail
        self.rule = rule
        self.errors = errors
    }

    /// By kind and rule; each field the refusal names becomes a JSON pointer, sorted.
    init(_ refusal: CommandError) {
        let errors = refusal.fields.map { fields in
            fields.sorted { $0.key < $1.key }.map { FieldError(pointer: "/" + Self.escaped($0.key), detail: $0.value) }
        }
        self.init(
            kind: refusal.kind.rawValue, rule: refusal.rule ?? "unspecified", status: HTTPProblemStatus.code(for: refusal.kind),
            detail: refusal.message, errors: errors)
    }

    /// A body that is not the documented shape: the field's pointer and what was wrong.
    init(_ error: DecodingError) {
        let (path, detail): ([any CodingKey], String) = switch error {
        case .typeMismatch(let type, let context): (context.codingPath, "must be \(Self.describe(type))")
        case .valueNotFound(let type, let context): (context.codingPath, "must be \(Self.describe(type)), not null")
        case .keyNotFound(let key, let context): (context.codingPath + [key], "is required")
        case .dataCorrupted(let context): (context.codingPath, Self.corruption(context))
        @unknown default: ([], "is malformed")
        }
        let pointer = "/" + path.map { Self.escaped($0.intValue.map(String.init) ?? $0.stringValue) }.joined(separator: "/")
        self.init(
            kind: "validation", rule: "requests.well_formed", status: 400, detail: "the request body is malformed: \(pointer) \(detail)",
            errors: [FieldError(pointer: pointer, detail: detail)])
    }

    /// RFC 9110's reason phrases for the statuses the API answers (a status built from its
    /// code alone carries none).
    static let titles: [Int: String] = [
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        406: "Not Acceptable", 409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type",
        422: "Unprocessable Content", 500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout",
    ]

    static let forbidden = APIProblem(kind: "forbidden", rule: "auth.role", status: 403, detail: "you may not do this")

    var response: (HTTPResponse, HTTPBody?) {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return (HTTPResponse(status: .init(code: status), headerFields: [.contentType: "application/problem+json"]), HTTPBody(data))
    }

    /// RFC 6901: `~` and `/` inside a name.
    static func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        case is Date.Type: "an ISO 8601 date-time"
        default: "of the documented type"
        }
    }

    private static func corruption(_ context: DecodingError.Context) -> String {
        let text = context.debugDescription
        if text.hasPrefix("Additional properties are disabled") { return "is not a documented field" }
        if context.codingPath.isEmpty { return "the body is not valid JSON" }
        return "has a value that is not allowed"
    }
}

/// The HTTP status of each `CommandError` kind (one table for every route).
enum HTTPProblemStatus {
    static func code(for kind: CommandError.Kind) -> Int {
        switch kind {
        case .validation: 400
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .unavailable: 503
        case .timeout: 504
        default: 500
        }
    }
}
