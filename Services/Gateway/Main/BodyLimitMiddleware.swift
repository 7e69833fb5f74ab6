import GatewayCore
import Hummingbird

/// Refuses request bodies over a limit with 413 before anything parses them: 1 MiB for every
/// route, 8 MiB for the CI import (whose document may hold 5 MiB of text, escaped in JSON).
/// A body without Content-Length is counted as it arrives and cut off at the limit.
/// Artifact uploads are the one exception: their body streams on to the route (which writes
/// it to disk and counts it against `uploadLimit` as it arrives), never collected here; only
/// a declared length over their limit is refused here.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    static var defaultLimit: Int { 1 << 20 }
    static var importLimit: Int { 8 << 20 }
    /// The largest artifact upload (`SHIPBOARD_UPLOAD_LIMIT_MB`).
    let uploadLimit: Int64

    /// `PUT /api/v1/releases/{key}/image/artifacts/{path}`.
    static func isUpload(_ request: Request) -> Bool {
        // Method first: the common requests never pay for the split.
        guard request.method == .put else { return false }
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 8 && parts.starts(with: ["", "api", "v1", "releases"]) && parts[5] == "image" && parts[6] == "artifacts"
    }

    static func limit(for path: String) -> Int {
        path == "/api/v1/cis/import" ? importLimit : defaultLimit
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isUpload(request) {
            do {
                try UploadBudget(limit: uploadLimit).admit(declaredLength: request.headers[.contentLength].flatMap(Int64.init))
            } catch {
                return APIProblem(kind: "validation", rule: "uploads.size", status: 413, detail: error.description).httpResponse()
            }
            return try await next(request, context)
        }
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
