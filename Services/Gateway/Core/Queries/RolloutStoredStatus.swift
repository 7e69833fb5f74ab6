import Contracts
import Foundation

/// The status statement's answer before the progress is worked out: the rollout's columns,
/// target counts by state (overall, per wave and per site, with how many settled in the last
/// minute), the waves, and each site's pool, unclaimed targets and live workers.
struct StoredStatus: Decodable {
    struct Count: Decodable {
        var wave: Int?
        var site: String?
        var state: String
        var count: Int
        var recent: Int
    }

    struct Wave: Decodable {
        var index: Int
        var kind: String
        var sites: [String]
        var gateAfter: RolloutWaveGate
        var openedAt: Date?
        var completedAt: Date?
        var approvedBy: String?
        var approvedAt: Date?
    }

    struct Site: Decodable {
        var site: String
        var pool: String?
        var unclaimed: Int
        var liveWorkers: Int
    }

    var id: String
    var releaseKey: String
    var state: String
    var image: String
    var currentWave: Int
    var window: Int
    var haltAfterFailures: Int
    var reason: String?
    var plannedBy: String
    var plannedAt: Date
    var startedBy: String?
    var startedAt: Date?
    var finishedAt: Date?
    var counts: [Count]
    var waves: [Wave]
    var sites: [Site]

    /// The view, with the progress of the rollout, each wave and each site from the counts.
    func view() throws -> RolloutStatusView {
        // A row with neither wave nor site is the rollout's own count of one state.
        let overall = try progress(counts.filter { $0.wave == nil && $0.site == nil })
        return RolloutStatusView(
            id: id, releaseKey: releaseKey, state: state, image: image, currentWave: currentWave, window: window,
            haltAfterFailures: haltAfterFailures, reason: reason, plannedBy: plannedBy, plannedAt: plannedAt, startedBy: startedBy,
            startedAt: startedAt, finishedAt: finishedAt, progress: overall,
            waves: try waves.map { wave in
                RolloutStatusView.Wave(
                    index: wave.index, kind: wave.kind, sites: wave.sites, gateAfter: wave.gateAfter, openedAt: wave.openedAt,
                    completedAt: wave.completedAt, approvedBy: wave.approvedBy, approvedAt: wave.approvedAt,
                    progress: try progress(counts.filter { $0.wave == wave.index }))
            },
            sites: try sites.map { site in
                RolloutStatusView.Site(
                    site: site.site, pool: site.pool, liveWorkers: site.liveWorkers,
                    waiting: RolloutWorkerLiveness.waiting(unclaimed: site.unclaimed, liveWorkers: site.liveWorkers),
                    progress: try progress(counts.filter { $0.site == site.site }))
            })
    }

    private func progress(_ rows: [Count]) throws -> RolloutProgress {
        var counts = RolloutCounts()
        for row in rows { try counts.add(row.state, row.count) }
        return RolloutProgress(counts: counts, settledLastMinute: rows.reduce(0) { $0 + $1.recent })
    }
}
