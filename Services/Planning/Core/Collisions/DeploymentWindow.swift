import Foundation

/// When a release's deployment runs, as the guards check it at each moment.
public enum DeploymentWindow {
    /// How long a deployment that starts now is taken to run when its schedule says nothing
    /// later: the freeze check needs an interval, and an hour covers a typical rollout wave.
    public static let assumedDuration: TimeInterval = 3_600

    /// The window a deployment starting at `now` occupies: from now to the scheduled end, or
    /// for ``assumedDuration`` when the release is unscheduled or its end has passed.
    public static func startingNow(_ now: Date, footprint: ReleaseFootprint) -> DateInterval {
        let end = footprint.window.map(\.end).flatMap { $0 > now ? $0 : nil } ?? now.addingTimeInterval(assumedDuration)
        return DateInterval(start: now, end: max(end, now.addingTimeInterval(ReleaseFootprint.minimumWindow)))
    }

    /// The window an override given at `now` covers: the scheduled one while it lies ahead,
    /// else the one a deployment starting now would occupy.
    public static func forOverride(at now: Date, footprint: ReleaseFootprint) -> DateInterval {
        if let window = footprint.window, window.start > now { return window }
        return startingNow(now, footprint: footprint)
    }
}
