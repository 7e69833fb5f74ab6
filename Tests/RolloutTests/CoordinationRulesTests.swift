import Contracts
import Foundation
@testable import RolloutCore
import Testing

/// The pure rules beside the coordinator: how a halt backs out, and which pool serves a site.
@Suite("backout and pool routing rules")
struct CoordinationRulesTests {
    static func row(_ key: String, _ state: RolloutTargetState, seq: Int? = nil, action: DeployJobAction = .deploy) -> TargetRow {
        TargetRow(
            taskKey: key, target: key, site: "FRA1", wave: 0, position: 0, dependsOn: [], state: state, action: action, attempts: 1,
            leaseUntil: nil, backoutSeq: seq, succeededAt: nil)
    }

    @Test("marked successes are backed out in their marked order, at most the window at once; unmarked targets are left alone")
    func backoutOrderAndWindow() {
        let targets = [
            Self.row("c", .succeeded, seq: 3), Self.row("a", .succeeded, seq: 1), Self.row("b", .succeeded, seq: 2),
            Self.row("x", .succeeded), Self.row("y", .failed),
        ]
        #expect(BackoutRules.next(targets, window: 2) == .start(["a", "b"]))
        let oneRunning = [Self.row("a", .running, seq: 1, action: .backout)] + targets.dropFirst(2) + [Self.row("c", .succeeded, seq: 3)]
        #expect(BackoutRules.next(Array(oneRunning), window: 2) == .start(["b"]))
        #expect(BackoutRules.next(Array(oneRunning), window: 1) == .idle)
    }

    @Test("finished once no marked target is running or still installed; failed backouts are named")
    func backoutFinishes() {
        #expect(BackoutRules.next([Self.row("a", .backedOut, seq: 1), Self.row("b", .backedOut, seq: 2)], window: 5) == .finished(failedBackouts: []))
        #expect(BackoutRules.next([Self.row("a", .backedOut, seq: 1), Self.row("b", .failed, seq: 2, action: .backout)], window: 5)
            == .finished(failedBackouts: ["b"]))
        // A deploy that failed after the halt has nothing to back out; one still running is waited for.
        #expect(BackoutRules.next([Self.row("a", .failed, seq: 1)], window: 5) == .finished(failedBackouts: []))
        #expect(BackoutRules.next([Self.row("a", .running, seq: 1)], window: 5) == .idle)
    }

    @Test("a pool naming a site serves it, live replicas first; a pool naming none serves the rest; no pool, no route")
    func poolRouting() {
        let now = Date()
        let old = now.addingTimeInterval(-3600)
        let directory = PoolDirectory(workers: [
            .init(pool: "east", sites: ["FRA1", "AMS1"], seenAt: now),
            .init(pool: "east-old", sites: ["FRA1"], seenAt: old),
            .init(pool: "default", sites: [], seenAt: now),
        ])
        #expect(directory.pool(for: "FRA1", now: now) == "east")
        #expect(directory.pool(for: "LON1", now: now) == "default")
        #expect(directory.hasLiveWorker(for: "AMS1", now: now))
        let named = PoolDirectory(workers: [.init(pool: "west", sites: ["NYC1"], seenAt: old)])
        #expect(named.pool(for: "NYC1", now: now) == "west", "a pool whose replicas are gone still gets its site's jobs: they wait in its queue")
        #expect(!named.hasLiveWorker(for: "NYC1", now: now))
        #expect(named.pool(for: "FRA1", now: now) == nil)
    }

    @Test("pool names must name a queue; attempt text keeps no NUL and fits its column, cut on a character")
    func settingsAndBounds() {
        #expect(WorkerSettings.isValidPool("eu-west-2") && !WorkerSettings.isValidPool("-x") && !WorkerSettings.isValidPool("EU")
            && !WorkerSettings.isValidPool(String(repeating: "a", count: 41)) && !WorkerSettings.isValidPool("a.b"))
        #expect(DeployWorker.bounded("a\0b", bytes: 100) == "a\u{FFFD}b")
        let long = String(repeating: "é", count: 5000)
        let cut = DeployWorker.bounded(long, bytes: 2000)
        #expect(cut.utf8.count <= 2000 && cut.hasSuffix("…"))
    }
}
