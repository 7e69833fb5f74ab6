import AsyncHTTPClient
import Foundation
import NIOCore

/// POSTs a JSON body to a webhook or chat URL; what `WebhookSender` and `ChatSender` share.
/// - The URL is checked right before each send, with the addresses its host resolves to
///   (`OutboundURLPolicy`); a refused URL is a permanent failure and nothing is sent.
/// - Redirects are never followed (the client is made by `makeHTTPClient`): a redirect could
///   lead past the URL policy. A 3xx is a permanent failure.
/// - The whole request, connect to last body byte, is bounded by `timeout`.
/// - Reasons never contain the URL: a chat webhook URL carries its secret in the path.
/// Known gap: the client resolves the host again when it connects; a DNS answer that
/// changes between the check and the connect (rebinding) is not caught.
public struct JSONPoster: Sendable {
    public let client: HTTPClient
    public let policy: OutboundURLPolicy
    public let timeout: Duration

    public init(client: HTTPClient, policy: OutboundURLPolicy, timeout: Duration) {
        self.client = client
        self.policy = policy
        self.timeout = timeout
    }

    /// An HTTP client for deliveries: no redirects, connect bounded by `timeout`. Its owner
    /// shuts it down (`client.shutdown()`) when the service stops.
    public static func makeHTTPClient(timeout: Duration) -> HTTPClient {
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(timeout), read: TimeAmount(timeout)))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends `body` to `url` with `headers` (Content-Type is added) and maps the answer.
    public func post(to url: String, body: [UInt8], headers: [(String, String)]) async -> SendOutcome {
        switch await policy.checkBeforeSending(url) {
        case .refused(let reason): return .permanent(reason: reason)
        case .unresolved(let reason): return .retryable(reason: reason)
        case .allowed: break
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "shipboard-notify")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            // Read (and drop) a bounded answer, so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return Self.outcome(status: Int(response.status.code))
        } catch {
            return Self.outcome(of: error)
        }
    }

    /// 2xx delivered; 408, 429 and 5xx retryable; any other status permanent.
    public static func outcome(status: Int) -> SendOutcome {
        switch status {
        case 200..<300: .delivered(detail: "HTTP \(status)")
        case 408, 429, 500..<600: .retryable(reason: "the receiver answered HTTP \(status)")
        case 300..<400: .permanent(reason: "the receiver answered HTTP \(status) (redirects are not followed)")
        default: .permanent(reason: "the receiver answered HTTP \(status)")
        }
    }

    /// A failure before an answer: retryable (timeouts, refused or lost connections, TLS
    /// trouble that a fixed certificate cures), except a URL the client itself cannot use.
    static func outcome(of error: any Error) -> SendOutcome {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return .retryable(reason: "the receiver did not answer in time")
            case .invalidURL, .emptyHost, .emptyScheme:
                return .permanent(reason: "the URL cannot be used by the HTTP client")
            case .remoteConnectionClosed:
                return .retryable(reason: "the receiver closed the connection")
            default:
                return .retryable(reason: "the request failed (\(error.shortDescription))")
            }
        }
        if error is CancellationError { return .retryable(reason: "the send was cancelled") }
        return .retryable(reason: "the connection failed (\(type(of: error)))")
    }
}

extension HTTPClientError {
    /// The error's code name only (its description may one day carry more).
    fileprivate var shortDescription: String {
        String(describing: self).replacingOccurrences(of: "HTTPClientError.", with: "")
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
