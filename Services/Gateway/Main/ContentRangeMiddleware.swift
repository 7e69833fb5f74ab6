import Foundation
import HTTPTypes
import Hummingbird

/// The generated server writes response header values in OpenAPI's simple style, which
/// percent-encodes spaces and slashes; `Content-Range` (RFC 9110: `bytes 10-19/712`) must go
/// out as it is. Only a value that decodes to that shape is rewritten.
struct ContentRangeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let encoded = response.headers[.contentRange], let value = encoded.removingPercentEncoding, Self.isByteRange(value) {
            response.headers[.contentRange] = value
        }
        return response
    }

    /// `bytes <first>-<last>/<size>` or `bytes */<size>`, digits only.
    static func isByteRange(_ value: String) -> Bool {
        guard value.hasPrefix("bytes ") else { return false }
        return value.dropFirst(6).allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "/" || $0 == "*") }
    }
}
