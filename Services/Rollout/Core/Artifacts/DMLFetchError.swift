/// Why an image archive could not be had from the DML. Messages name digests and HTTP
/// statuses, never the bearer token or a request header.
public enum DMLFetchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 401 or 403: this replica's token is not the DML's.
    case unauthorized(status: Int)
    /// 404: no DML entry holds these bytes.
    case notFound(digest: String)
    /// 410: the entries holding these bytes were retired.
    case retired(digest: String)
    /// A 3xx answer: never followed, since the request carries the bearer token.
    case redirected(status: Int)
    /// Any other answer the download server should not give.
    case unexpectedStatus(Int)
    /// The bytes (or the server's digest header) are not the ones asked for; nothing is kept.
    case digestMismatch(expected: String, actual: String)
    /// No connection, or it broke (the kind of error, without the request).
    case unreachable(String)
    case timedOut(Duration)
    /// The cache folder on this replica.
    case io(String)
    case cancelled

    /// Worth trying again later (a new attempt): the network, the server, the disk.
    public var isRetryable: Bool {
        switch self {
        case .unreachable, .timedOut, .io, .unexpectedStatus, .digestMismatch, .cancelled: true
        case .unauthorized, .notFound, .retired, .redirected: false
        }
    }

    public var description: String {
        switch self {
        case .unauthorized(let status):
            "the DML download server refused this replica's bearer token (HTTP \(status)): check SHIPBOARD_DML_TOKEN"
        case .notFound(let digest): "the DML holds no entry with SHA-256 \(digest)"
        case .retired(let digest): "the DML entry with SHA-256 \(digest) was retired"
        case .redirected(let status):
            "the DML download server answered with a redirect (HTTP \(status)); it is never followed, so the token goes nowhere else"
        case .unexpectedStatus(let status): "the DML download server answered HTTP \(status)"
        case .digestMismatch(let expected, let actual):
            "the downloaded image has SHA-256 \(actual), not \(expected) as asked: it was deleted"
        case .unreachable(let reason): "the DML download server cannot be reached: \(reason)"
        case .timedOut(let limit): "the download did not finish within \(limit.components.seconds) s"
        case .io(let reason): "the image cache cannot be used: \(reason)"
        case .cancelled: "the download was cancelled: this replica is stopping"
        }
    }
}
