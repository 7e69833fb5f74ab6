import GatewayCore
import Messaging

/// What the HTTP layer learned about the request being handled, for the API handlers below
/// it (task-local: the generated server calls the handlers without a request context).
struct RequestScope: Sendable {
    /// `X-Request-Id` of the response (the caller's when well-formed, else fresh).
    var requestID: String
    /// The caller's `traceparent` when well-formed, else a new trace; commands carry its child.
    var trace: TraceParent
    /// The authenticated user; nil only on the public document.
    var user: GatewayUser?

    @TaskLocal static var current: RequestScope?
}
