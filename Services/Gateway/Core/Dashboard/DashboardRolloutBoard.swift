import Contracts
import RolloutCore

/// A rollout's progress as the dashboard draws it: one bar overall, one per wave and one per
/// site, each "done of total" where done is the targets that succeeded, with the words shown
/// beside it. The page renders it and the live stream sends the same value as JSON, so the
/// browser's script only copies numbers and texts into place: the wording has one home.
/// Also which controls the rollout's state allows, by shipboard-rollout's own rule
/// (``RolloutControl``), so a button is shown only for an action that would be accepted.
public struct DashboardRolloutBoard: Sendable, Equatable, Encodable {
    public struct Bar: Sendable, Equatable, Encodable {
        /// The wave's index (as the API numbers waves) or the site's name; nil overall.
        public let wave: Int?
        public let site: String?
        public let label: String
        public let done: Int
        public let total: Int
        /// The `<progress>` element's `max`: the total, at least 1 (a bar of nothing is empty).
        public let max: Int
        public let text: String
    }

    /// The rollout's state as the API names it (`running`, `backing_out`, …).
    public let state: String
    public let overall: Bar
    public let waves: [Bar]
    public let sites: [Bar]
    public let mayPause: Bool
    public let mayResume: Bool
    public let mayAbort: Bool

    public init(_ status: RolloutStatusView) {
        state = status.state
        overall = Self.bar(wave: nil, site: nil, label: "All targets", status.progress)
        waves = status.waves.map { wave in
            Self.bar(wave: wave.index, site: nil, label: "Wave \(wave.index + 1) (\(wave.kind): \(wave.sites.joined(separator: ", ")))",
                     wave.progress)
        }
        sites = status.sites.map { site in
            let waiting = site.waiting > 0 ? ", \(site.waiting) waiting for a worker" : ""
            return Self.bar(wave: nil, site: site.site, label: "Site \(site.site)", site.progress, extra: waiting)
        }
        let rolloutState = RolloutState(rawValue: status.state)
        func allows(_ action: RolloutControl.Action) -> Bool {
            (try? RolloutControl.rolloutState(after: action, from: rolloutState, succeededTargets: status.progress.counts.succeeded)) != nil
        }
        mayPause = allows(.pause)
        mayResume = allows(.resume)
        // Any reason passes the reason check here; the form's own reason is checked when sent.
        mayAbort = allows(.abort(reason: "shown"))
    }

    /// Whether any control is open at all.
    public var hasControls: Bool { mayPause || mayResume || mayAbort }

    static func bar(wave: Int?, site: String?, label: String, _ progress: RolloutProgress, extra: String = "") -> Bar {
        let counts = progress.counts
        return Bar(wave: wave, site: site, label: label, done: counts.succeeded, total: counts.total, max: Swift.max(counts.total, 1),
                   text: "\(counts.succeeded) of \(counts.total) succeeded, \(counts.failed) failed\(extra)")
    }
}
