import CLICore
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Synchronization

/// Every request carries the bearer token (the document's only security scheme) and says
/// which client sent it.
struct RequestHeaders: ClientMiddleware {
    let token: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        request.headerFields[.userAgent] = "shipboard/\(CLIVersion.current)"
        return try await next(request, body, baseURL)
    }
}

/// The status and body of a response as they came: the generated client hands out typed
/// values, while `--output json` prints the server's own bytes and a failed command reads
/// its problem from them whatever the operation's cases are.
struct Exchange: Sendable {
    var status: Int?
    var body: Data?
}

/// Where `ExchangeRecorder` puts what it saw: one box per call, reached through a task-local
/// so that two calls in flight could never swap answers.
final class ExchangeBox: Sendable {
    @TaskLocal static var current: ExchangeBox?

    private let recorded = Mutex(Exchange())

    var exchange: Exchange { recorded.withLock { $0 } }

    func record(_ exchange: Exchange) {
        recorded.withLock { $0 = exchange }
    }
}

struct ExchangeRecorder: ClientMiddleware {
    /// Far above any answer of this API (a page is at most 200 items); a runaway body fails.
    static let maximumBodyBytes = 64 << 20

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard let box = ExchangeBox.current else { return (response, responseBody) }
        // An event stream (release watch) or an archive (dml download) is consumed as it
        // arrives, never buffered.
        let contentType = (response.headerFields[.contentType] ?? "").lowercased()
        let streamed = contentType.hasPrefix("text/event-stream") || contentType.hasPrefix("application/octet-stream")
        guard let responseBody, !streamed else {
            box.record(Exchange(status: response.status.code, body: nil))
            return (response, responseBody)
        }
        let data = try await Data(collecting: responseBody, upTo: Self.maximumBodyBytes)
        box.record(Exchange(status: response.status.code, body: data))
        return (response, HTTPBody(data))
    }
}
