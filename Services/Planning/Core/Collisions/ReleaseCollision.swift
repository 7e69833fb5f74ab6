import Foundation

/// Two in-flight releases collide when their impact sets share CIs and their deployment
/// windows overlap: deploying both at once changes the same things twice, in an order nobody chose.
public struct ReleaseCollision: Sendable, Hashable {
    public let otherKey: String
    public let otherTitle: String
    /// The CIs both impact sets hold, sorted.
    public let sharedCIs: [String]
    /// When both windows are open.
    public let overlap: DateInterval

    /// The collisions of `release` with `others` (the release itself and unscheduled releases
    /// never collide), ordered by the other release's key. Pure: callers pass only in-flight releases.
    public static func collisions(of release: ReleaseFootprint, with others: [ReleaseFootprint]) -> [ReleaseCollision] {
        guard let window = release.window, !release.impact.isEmpty else { return [] }
        return others.compactMap { other -> ReleaseCollision? in
            guard other.key != release.key, let otherWindow = other.window,
                  window.start < otherWindow.end, otherWindow.start < window.end
            else { return nil }
            let shared = release.impact.intersection(other.impact)
            guard !shared.isEmpty else { return nil }
            let overlap = DateInterval(start: max(window.start, otherWindow.start), end: min(window.end, otherWindow.end))
            return ReleaseCollision(otherKey: other.key, otherTitle: other.title, sharedCIs: shared.sorted(), overlap: overlap)
        }.sorted { $0.otherKey < $1.otherKey }
    }
}
