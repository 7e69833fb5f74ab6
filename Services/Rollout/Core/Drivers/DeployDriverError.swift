/// Infrastructure trouble that stopped a driver before it could say anything about the
/// target. The caller retries the job as a new attempt. Never holds a secret.
public enum DeployDriverError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The replica's own disk: the staging folder or the target folder could not be made or read.
    case io(String)
    /// The target host could not be reached (`ssh` driver).
    case unreachable(String)
    /// The calling task was cancelled (the replica is stopping); whatever ran was killed.
    case cancelled

    public var description: String {
        switch self {
        case .io(let reason): "the deploy could not be prepared on this replica: \(reason)"
        case .unreachable(let reason): "the target could not be reached: \(reason)"
        case .cancelled: "the deploy was cancelled: this replica is stopping"
        }
    }
}
