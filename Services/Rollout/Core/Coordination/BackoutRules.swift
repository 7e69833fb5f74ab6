import Contracts

/// How a halted or aborted rollout backs out: the targets marked for backout (``TargetRow/backoutSeq``)
/// that succeeded are backed out in their marked order (the latest success first), at most
/// the window at once. Pure.
///
/// It is finished when no marked target is running or still succeeded: the rollout is then
/// backed out, unless some backout failed (those targets stay `failed` with action
/// `backout`, and a person retries them or decides).
public enum BackoutRules {
    public enum Step: Sendable, Equatable {
        /// Dispatch backout jobs for these targets, in this order.
        case start([String])
        /// Backouts (or deploys started before the halt) are still running.
        case idle
        /// Every marked target is settled; these backouts failed.
        case finished(failedBackouts: [String])
    }

    public static func next(_ targets: [TargetRow], window: Int) -> Step {
        let marked = targets.filter { $0.backoutSeq != nil }
        let running = targets.filter { $0.state == .running }.count
        let waiting = marked.filter { $0.state == .succeeded }.sorted { ($0.backoutSeq ?? 0) < ($1.backoutSeq ?? 0) }
        if waiting.isEmpty {
            guard running == 0 else { return .idle }
            return .finished(failedBackouts: marked.filter { $0.state == .failed && $0.action == .backout }.map(\.taskKey))
        }
        let capacity = max(1, window) - running
        guard capacity > 0 else { return .idle }
        return .start(waiting.prefix(capacity).map(\.taskKey))
    }
}
