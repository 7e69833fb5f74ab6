import Foundation
import GatewayCore
import Hummingbird
import Messaging
import NIOCore
import Synchronization

/// What the HTTP layer learned about the request being handled, for the API handlers below
/// it (task-local: the generated server calls the handlers without a request context).
struct RequestScope: Sendable {
    /// `X-Request-Id` of the response (the caller's when well-formed, else fresh).
    var requestID: String
    /// The caller's `traceparent` when well-formed, else a new trace; commands carry its child.
    var trace: TraceParent
    /// The client's address as the TCP connection shows it (login rate limits count by it).
    var clientAddress: String
    /// The authenticated user; nil on the public routes.
    var user: GatewayUser?
    /// The session cookie the user authenticated with (nil with a bearer token): logout ends it.
    var sessionCookie: String?
    /// A `Set-Cookie` value for the response, set by login and logout: the HTTP layer writes it
    /// as is (the generated server would percent-encode a header value).
    let responseCookie = ResponseCookie()

    @TaskLocal static var current: RequestScope?
}

/// The gateway's request context: Hummingbird's basic one plus the client's address.
struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The one `Set-Cookie` value a response may carry, handed from an API handler to the HTTP
/// middleware that writes the response.
final class ResponseCookie: Sendable {
    private let stored = Mutex<String?>(nil)

    var value: String? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
