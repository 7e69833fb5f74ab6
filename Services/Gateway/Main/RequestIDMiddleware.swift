import Foundation
import HTTPTypes
import Hummingbird
import Messaging

/// Every API response carries `X-Request-Id`: the caller's, when it is 1–64 characters of
/// letters, digits, `.`, `_` or `-` (anything else could smuggle text into logs), or a fresh
/// UUID. It also takes the request's W3C `traceparent` (or starts a trace) and opens the
/// ``RequestScope`` the rest of the request sees. Runs before authentication, so a 401
/// carries an id too.
struct RequestIDMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    static var header: HTTPField.Name { HTTPField.Name("X-Request-Id")! }
    static var traceHeader: HTTPField.Name { HTTPField.Name(TraceParent.header)! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = WellFormedID.accepted(request.headers[Self.header]) ?? UUID().uuidString.lowercased()
        let trace = request.headers[Self.traceHeader].flatMap(TraceParent.init) ?? TraceParent.fresh()
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let scope = RequestScope(requestID: id, trace: trace, clientAddress: address, user: nil, sessionCookie: nil)
        var response = try await RequestScope.$current.withValue(scope) {
            try await next(request, context)
        }
        response.headers[Self.header] = id
        if let cookie = scope.responseCookie.value { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }
}

/// An id from outside (a request id, a key from the path) that may travel into headers and
/// logs: 1–64 letters, digits, `.`, `_` or `-`; anything else could smuggle text into logs.
enum WellFormedID {
    static func accepted(_ value: String?) -> String? {
        guard let value, (1...64).contains(value.utf8.count),
              value.utf8.allSatisfy({ byte in
                  (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                      || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                      || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
              })
        else { return nil }
        return value
    }
}
