import Foundation
import Hummingbird

/// Every API response carries `X-Request-Id`: the caller's, when it is 1–64 characters of
/// letters, digits, `.`, `_` or `-` (anything else could smuggle text into logs), or a fresh
/// UUID. Added before authentication, so a 401 carries one too.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
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

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = Self.accepted(request.headers[.init("X-Request-Id")!]) ?? UUID().uuidString.lowercased()
        var response = try await next(request, context)
        response.headers[.init("X-Request-Id")!] = id
        return response
    }
}
