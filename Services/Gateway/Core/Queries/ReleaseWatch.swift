import Contracts
import Foundation
import PlanningCore

/// What happens to one release, as its event streams tell it: the API's
/// (`GET /api/v1/releases/{key}/events`) and the dashboard's live rollout progress both
/// read this one watcher and only encode its changes their own way.
///
/// - The release is sent whenever its version changes (never one the client has seen:
///   `lastSeenVersion`), its rollout's progress whenever that differs from the last one sent.
/// - Polling, bounded per watcher: one indexed read of the version every `interval`, the
///   release only when it changed, the rollout's progress (one grouped statement) every
///   ``rolloutPollRounds`` rounds. A failed read (database away a moment) is tried next round.
/// - The progress comes before the release it belongs to, so a watcher that stops at a
///   terminal release has the final progress; the stream ends after a terminal release.
/// - A ``Change/keepAlive`` after 15 s with nothing sent, so proxies keep the connection.
/// - An optional lifetime ends the stream early, so a long-open client is checked again.
/// - The polling task stops when the consumer goes away (the stream's termination).
public struct ReleaseWatch: Sendable {
    public enum Change: Sendable {
        case rollout(RolloutStatusView)
        case release(ReleaseDetail)
        case keepAlive
    }

    /// Rounds of the poll between two reads of the rollout's progress (2 s at 500 ms).
    public static let rolloutPollRounds = 4

    public let releases: ReleaseQueries
    public let rollouts: RolloutQueries
    public let interval: Duration

    public init(releases: ReleaseQueries, rollouts: RolloutQueries, interval: Duration) {
        self.releases = releases
        self.rollouts = rollouts
        self.interval = interval
    }

    /// The changes of release `key`, starting from `first` (read by the caller, so an unknown
    /// release is refused before any stream starts). With a `lifetime`, the stream also ends
    /// once that has passed (a client that reconnects is checked again).
    public func changes(of key: String, first: ReleaseDetail, lastSeenVersion: Int?, lifetime: Duration? = nil) -> AsyncStream<Change> {
        let (releases, rollouts, interval) = (releases, rollouts, interval)
        let deadline = lifetime.map { ContinuousClock.now + $0 }
        return AsyncStream { continuation in
            let task = Task {
                var sent = lastSeenVersion
                var latest = first
                var quiet = Duration.zero
                var rolloutSent: RolloutStatusView?
                var round = 0
                while !Task.isCancelled {
                    if round % Self.rolloutPollRounds == 0 || latest.status.isTerminal,
                       let status = try? await rollouts.status(of: key), status != rolloutSent {
                        continuation.yield(.rollout(status))
                        rolloutSent = status
                        quiet = .zero
                    }
                    if latest.version != sent {
                        continuation.yield(.release(latest))
                        sent = latest.version
                        quiet = .zero
                    }
                    round += 1
                    if latest.status.isTerminal { break }
                    if let deadline, ContinuousClock.now >= deadline { break }
                    try? await Task.sleep(for: interval)
                    quiet += interval
                    if quiet >= .seconds(15) {
                        continuation.yield(.keepAlive)
                        quiet = .zero
                    }
                    guard let version = try? await releases.version(of: key) else { continue }
                    if version != latest.version, let fresh = try? await releases.release(key) { latest = fresh }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
