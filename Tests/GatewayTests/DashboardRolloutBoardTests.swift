import Contracts
import Foundation
@testable import GatewayCore
import Testing

/// The rollout board's numbers, words and controls, from a status value (no database).
@Suite("Dashboard: the rollout board")
struct DashboardRolloutBoardTests {
    static func progress(succeeded: Int, failed: Int, pending: Int) throws -> RolloutProgress {
        RolloutProgress(
            counts: try RolloutCounts(byState: ["succeeded": succeeded, "failed": failed, "pending": pending]), settledLastMinute: 0)
    }

    static func status(_ state: String, sites: [(String, Int, Int, Int, Int)]) throws -> RolloutStatusView {
        let total = try progress(
            succeeded: sites.reduce(0) { $0 + $1.1 }, failed: sites.reduce(0) { $0 + $1.2 }, pending: sites.reduce(0) { $0 + $1.3 })
        return RolloutStatusView(
            id: "r", releaseKey: "REL-1", state: state, image: "app@1", currentWave: 0, window: 2, haltAfterFailures: 1,
            reason: nil, plannedBy: "rita", plannedAt: Date(timeIntervalSince1970: 0), startedBy: nil, startedAt: nil,
            finishedAt: nil, progress: total,
            waves: [.init(index: 0, kind: "canary", sites: sites.map(\.0), gateAfter: RolloutWaveGate(kind: .none),
                          openedAt: nil, completedAt: nil, approvedBy: nil, approvedAt: nil, progress: total)],
            sites: try sites.map { site in
                .init(site: site.0, pool: nil, liveWorkers: 1, waiting: site.4,
                      progress: try progress(succeeded: site.1, failed: site.2, pending: site.3))
            })
    }

    @Test("done is the targets that succeeded; the words say succeeded and failed of all; a site waiting for a worker says so")
    func numbersAndWords() throws {
        let board = DashboardRolloutBoard(try Self.status("running", sites: [("FRA1", 12, 0, 8, 0), ("AMS2", 0, 1, 19, 3)]))
        #expect(board.state == "running")
        #expect(board.overall.done == 12 && board.overall.total == 40 && board.overall.max == 40)
        #expect(board.overall.text == "12 of 40 succeeded, 1 failed")
        #expect(board.waves.map(\.wave) == [0] && board.waves[0].label == "Wave 1 (canary: FRA1, AMS2)")
        #expect(board.sites.map(\.site) == ["FRA1", "AMS2"])
        #expect(board.sites[1].text == "0 of 20 succeeded, 1 failed, 3 waiting for a worker")
        let empty = DashboardRolloutBoard(try Self.status("planned", sites: []))
        #expect(empty.overall.max == 1 && empty.overall.done == 0, "a bar of nothing is an empty bar, not a broken one")
    }

    @Test("controls follow shipboard-rollout's rule: pause when running, resume when paused, abort until halted or final")
    func controls() throws {
        let cases: [(String, Bool, Bool, Bool)] = [
            ("planned", false, false, true), ("running", true, false, true), ("paused", false, true, true),
            ("halted", false, false, false), ("completed", false, false, false), ("backing_out", false, false, false),
            ("exploded", false, false, false),
        ]
        for (state, pause, resume, abort) in cases {
            let board = DashboardRolloutBoard(try Self.status(state, sites: [("FRA1", 1, 0, 1, 0)]))
            #expect(board.mayPause == pause && board.mayResume == resume && board.mayAbort == abort, "\(state)")
            #expect(board.hasControls == (pause || resume || abort))
        }
    }

    @Test("the board's JSON (what the live stream sends) holds the ids' values and no more than the page shows")
    func json() throws {
        let board = DashboardRolloutBoard(try Self.status("paused", sites: [("dc<1>", 1, 0, 1, 0)]))
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(board)) as? [String: Any])
        let overall = try #require(object["overall"] as? [String: Any])
        #expect(object["state"] as? String == "paused" && overall["done"] as? Int == 1 && overall["max"] as? Int == 2)
        #expect(overall["text"] as? String == "1 of 2 succeeded, 0 failed")
        #expect((object["sites"] as? [[String: Any]])?.first?["site"] as? String == "dc<1>", "the script sets text, never HTML")
    }
}
