import AsyncHTTPClient
import Contracts
import Foundation
import Logging
import NIOCore
import OpenAPIRuntime

/// Streams a DML entry's archive from shipboard-testing's download server
/// (`GET <SHIPBOARD_DML_URL>/dml/<name>/<version>`, bearer `SHIPBOARD_DML_TOKEN`), passing
/// `Range` through and the digest header back. The body is relayed chunk by chunk, never
/// held whole. The token never appears in a log line or an error.
struct DMLContentSource: Sendable {
    static let digestHeader = "X-Shipboard-SHA256"

    let baseURL: String
    /// Secret. Nil: downloads are not configured here, and answer 503.
    let token: String?
    let client: HTTPClient
    let logger: Logger

    /// What the download server answered: a status the API documents, its headers, the body.
    struct Fetched: Sendable {
        let status: Int
        let sha256: String
        let contentRange: String?
        let body: HTTPBody
    }

    func fetch(name: String, version: String, range: String?) async throws -> Fetched {
        guard let token else { throw Self.unavailable }
        var request = HTTPClientRequest(url: "\(baseURL)/dml/\(Self.escaped(name))/\(Self.escaped(version))")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let range { request.headers.add(name: "Range", value: range) }
        let response: HTTPClientResponse
        do {
            // The deadline covers a whole archive at a slow link's pace, not just the first byte.
            response = try await client.execute(request, timeout: .hours(1), logger: logger)
        } catch {
            logger.warning("DML download server unreachable", metadata: ["dml.error": "\(type(of: error))"])
            throw Self.unavailable
        }
        let status = Int(response.status.code)
        switch status {
        case 200, 206:
            guard let sha256 = response.headers.first(name: Self.digestHeader) else {
                logger.error("DML download server answered without its digest header")
                throw Self.unavailable
            }
            let length = response.headers.first(name: "Content-Length").flatMap(Int64.init)
            let body = HTTPBody(
                response.body.map { ArraySlice($0.readableBytesView) }, length: length.map { .known($0) } ?? .unknown,
                iterationBehavior: .single)
            return Fetched(status: status, sha256: sha256, contentRange: response.headers.first(name: "Content-Range"), body: body)
        case 404, 410:
            throw CommandError(.notFound, "the DML has no content for \(name)@\(version)", rule: "dml.entry_exists")
        case 416:
            return Fetched(status: 416, sha256: "", contentRange: response.headers.first(name: "Content-Range"), body: HTTPBody())
        default:
            // 401/403 here means the gateway's token is wrong: an operator's problem, not the caller's.
            logger.error("DML download server refused the gateway", metadata: ["http.status": "\(status)"])
            throw Self.unavailable
        }
    }

    /// The HTTP client for the download server: redirects are never followed (one would
    /// carry the bearer token elsewhere), and a server that does not accept a connection
    /// within 5 s counts as down.
    static func makeClient() -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5))))
    }

    static var unavailable: CommandError {
        CommandError(.unavailable, "DML downloads are not available right now; try again shortly", rule: "dml.download")
    }

    /// A path component with everything but unreserved characters percent-encoded.
    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .init(charactersIn:
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? ""
    }
}
