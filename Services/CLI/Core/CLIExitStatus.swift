/// The process exit statuses of `shipboard`, one per kind of outcome a script may branch on.
/// 2 is kept for local usage errors (bad arguments, no settings): a 400 from the server is a
/// failure of the command (1), not of how it was typed.
public enum CLIExitStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    /// Anything else: a 400, 413, 5xx or 504, no connection, an answer that could not be read.
    case failure = 1
    case usage = 2
    /// 401 and 403: the token was refused, or its roles do not allow the operation.
    case forbidden = 3
    case notFound = 4
    /// 409: the release moved on since it was read (stale view), a duplicate, a broken rule.
    case conflict = 5

    /// The status for an HTTP response code the command could not use.
    public init(httpStatus: Int) {
        switch httpStatus {
        case 200..<300: self = .ok
        case 401, 403: self = .forbidden
        case 404: self = .notFound
        case 409: self = .conflict
        default: self = .failure
        }
    }
}
