import Hummingbird

/// Refuses request bodies over a limit with 413 before anything parses them: 1 MiB for every
/// route, 8 MiB for the CI import (whose document may hold 5 MiB of text, escaped in JSON).
/// A body without Content-Length is counted as it arrives and cut off at the limit.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    static var defaultLimit: Int { 1 << 20 }
    static var importLimit: Int { 8 << 20 }

    static func limit(for path: String) -> Int {
        path == "/api/v1/cis/import" ? importLimit : defaultLimit
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let limit = Self.limit(for: request.uri.path)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            return Self.tooLarge(limit)
        }
        var request = request
        do {
            let buffer = try await request.body.collect(upTo: limit)
            request.body = .init(buffer: buffer)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Self.tooLarge(limit)
        }
        return try await next(request, context)
    }

    static func tooLarge(_ limit: Int) -> Response {
        APIProblem(kind: "validation", rule: "requests.body_size", status: 413,
                   detail: "the request body is larger than \(limit / 1024) KiB").httpResponse()
    }
}
