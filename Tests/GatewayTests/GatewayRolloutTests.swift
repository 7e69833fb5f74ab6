import Foundation
import GatewayCore
import ShipboardTestSupport
import Testing

/// The rollout routes over HTTP with planning behind the gateway: reads of a rollout written
/// into shipboard-rollout's tables (``RolloutFixture``), its progress on the release's event
/// stream, `shipboard rollout status`, and every command refused in the gateway before it is
/// sent when a field is bad.
@Suite("Gateway: a release's rollout", .serialized)
struct GatewayRolloutTests {
    @Test("status, targets (filtered, paged), one target with its logs, the CLI's board; hostile keys refused")
    func reads() async throws {
        try await GatewayStack.with { stack in
            let key = try await GatewayImageTests.createRelease(stack)
            let missing = try await stack.call("GET", "/api/v1/releases/\(key)/rollout", as: .viewer)
            #expect(missing.status == 404 && missing.problemType == "urn:shipboard:problem:not_found:rollout.exists")
            let fixture = try await RolloutFixture.withNineTargets(releaseKey: key)
            defer { Task { await fixture.close() } }

            let status = try await stack.call("GET", "/api/v1/releases/\(key)/rollout", as: .viewer)
            #expect(status.status == 200 && status.json["image"] as? String == "payroll@4.2.0", "\(String(decoding: status.data, as: UTF8.self))")
            let progress = status.json["progress"] as? [String: Any] ?? [:]
            #expect(progress["settled"] as? Int == 4 && progress["etaSeconds"] as? Int == 100)
            let sites = status.json["sites"] as? [[String: Any]] ?? []
            #expect(sites.map { $0["waiting"] as? Int } == [0, 2])

            let page = try await stack.call("GET", "/api/v1/releases/\(key)/rollout/targets?state=running&limit=2", as: .viewer)
            let items = page.json["items"] as? [[String: Any]] ?? []
            #expect(page.status == 200 && items.map { $0["target"] as? String } == ["CI-SRV-0005", "CI-SRV-0007"])
            let cursor = try #require(page.json["nextCursor"] as? String)
            let next = try await stack.call("GET", "/api/v1/releases/\(key)/rollout/targets?state=running&limit=2&cursor=\(cursor)", as: .viewer)
            let rest = next.json["items"] as? [[String: Any]] ?? []
            #expect(rest.map { $0["target"] as? String } == ["CI-SRV-0008"] && next.json["nextCursor"] == nil)
            #expect(rest.first?["waitingForWorker"] as? Bool == true)

            let one = try await stack.call("GET", "/api/v1/releases/\(key)/rollout/targets/rollout-ci-app-0001-ci-srv-0004", as: .viewer)
            let attempts = one.json["attempts"] as? [[String: Any]] ?? []
            #expect(one.status == 200 && attempts.map { $0["log"] as? String } == ["second try\nexit 1", "first try\nexit 2"])
            for hostile in [String(repeating: "k", count: 300), "rollout%00x", "..%2F..%2Fetc%2Fpasswd"] {
                let refused = try await stack.call("GET", "/api/v1/releases/\(key)/rollout/targets/\(hostile)", as: .viewer)
                #expect(refused.status == 400 || refused.status == 404, "\(hostile): \(refused.status)")
                #expect(refused.isProblem && !String(decoding: refused.data, as: UTF8.self).contains("SELECT"))
            }
            for query in ["site=\(String(repeating: "s", count: 300))", "site=dc%00", "wave=-1", "limit=0", "state=exploded"] {
                let refused = try await stack.call("GET", "/api/v1/releases/\(key)/rollout/targets?\(query)", as: .viewer)
                #expect(refused.status == 400 && refused.isProblem, "\(query): \(refused.status)")
            }

            let viewer = ["SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.viewer]!]
            let board = try CLIEndToEndTests.shipboard(["rollout", "status", key], environment: viewer)
            #expect(board.status == 0, "\(board.err)")
            #expect(board.out.contains("\(key) rollout paused: payroll@4.2.0, wave 2 of 3"), "\(board.out)")
            #expect(board.out.contains("dc2  [####------------]  1/4  25%  2 waiting for a worker of pool \(fixture.pools.east)"), "\(board.out)")
            let json = try CLIEndToEndTests.shipboard(["rollout", "status", key, "--output", "json"], environment: viewer)
            let decoded = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
            #expect(json.status == 0 && decoded?["state"] as? String == "paused")
            let shown = try CLIEndToEndTests.shipboard(["rollout", "target", key, "rollout-ci-app-0001-ci-srv-0004"], environment: viewer)
            #expect(shown.status == 0 && shown.out.contains("attempt 2 deploy on \(fixture.pools.west)-1: failed in 30.0s"), "\(shown.out)\(shown.err)")
            let unknown = try CLIEndToEndTests.shipboard(["rollout", "target", key, "rollout-none"], environment: viewer)
            #expect(unknown.status == 4, "\(unknown.err)")
            let targets = try CLIEndToEndTests.shipboard(["rollout", "targets", key, "--site", "dc2", "--wave", "3"], environment: viewer)
            #expect(targets.status == 0 && targets.out.contains("CI-SRV-0007") && targets.out.contains("waiting"), "\(targets.out)\(targets.err)")
        }
    }

    @Test("the release's event stream sends the rollout's progress, and again when it changes")
    func progressEvents() async throws {
        try await GatewayStack.with { stack in
            let key = try await GatewayImageTests.createRelease(stack)
            let fixture = try await RolloutFixture.withNineTargets(releaseKey: key)
            defer { Task { await fixture.close() } }
            let reader = EventStreamReader()
            let task = reader.start(
                URL(string: "\(stack.base.absoluteString)/api/v1/releases/\(key)/events")!,
                headers: ["Authorization": "Bearer \(stack.tokens[.viewer]!)"])
            defer { task.cancel() }
            var iterator = reader.events.makeAsyncIterator()
            let first = try #require(await iterator.next())
            #expect(first.event == "rollout" && first.id == nil && first.data.contains("\"settled\":4"), "\(first)")
            #expect(await iterator.next()?.event == "release", "the progress comes before the release it belongs to")

            try await fixture.succeed("rollout-ci-app-0001-ci-srv-0006")
            var changed: EventStreamReader.Event?
            while let event = await iterator.next() {
                if event.event == "rollout", event.data.contains("\"settled\":5") { changed = event; break }
            }
            #expect(changed != nil, "a changed count is sent")

            // The stream ends with the release (an open stream would hold the gateway's shutdown).
            let cancel = try await stack.call(
                "POST", "/api/v1/releases/\(key)/cancel", as: .releaseManager, json: ["expectedPhase": "initiate", "reason": "test"])
            #expect(cancel.status == 200)
            var rest: [String] = []
            while let event = await iterator.next() { rest.append(event.event ?? "") }
            #expect(rest.last == "release", "\(rest)")

            // `release watch` on the finished release: its status line, the rollout's totals and a
            // bar per site (the progress came before the terminal release), then the end.
            let watch = try CLIEndToEndTests.shipboard(
                ["release", "watch", key], environment: ["SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.viewer]!])
            let lines = watch.out.split(separator: "\n").map(String.init)
            #expect(watch.status == 0 && lines.last == "\(key) finished: cancelled", "\(watch.out)\(watch.err)")
            #expect(lines.contains { $0.hasPrefix("rollout paused (payroll@4.2.0): 5/9 settled (55%)") }, "\(watch.out)")
            #expect(lines.contains { $0.hasPrefix("dc1  [############----]  4/5  80%") }, "\(watch.out)")
            #expect(lines.contains { $0.hasPrefix("dc2  [####------------]  1/4  25%  2 waiting for a worker of pool") }, "\(watch.out)")
        }
    }

    @Test("commands with bad fields are refused in the gateway, before anything is sent")
    func refusedBeforeSending() async throws {
        try await GatewayStack.with { stack in
            let key = try await GatewayImageTests.createRelease(stack)
            let plans: [[String: Any]] = [
                ["targets": [:] as [String: Any]],
                ["targets": ["sites": ["dc\u{0}1"]]],
                ["targets": ["sites": [String(repeating: "s", count: 300)]]],
                ["targets": ["keys": ["../../etc/passwd"]]],
                ["targets": ["sites": ["dc1"]], "sources": [String(repeating: "CI-APP-0001", count: 30)]],
                ["targets": ["sites": ["dc1"]], "window": 0],
                ["targets": ["sites": ["dc1"]], "betweenWaves": ["kind": "pause"]],
                ["targets": ["sites": ["dc1"]], "failureThreshold": ["kind": "percent", "value": 101]],
            ]
            for plan in plans {
                let refused = try await stack.call("POST", "/api/v1/releases/\(key)/rollout/plan", as: .rolloutOperator, json: plan)
                #expect(refused.status == 400 && refused.isProblem, "\(plan): \(refused.status) \(String(decoding: refused.data, as: UTF8.self))")
            }
            let actions: [[String: Any]] = [
                ["action": "abort"],
                ["action": "abort", "reason": String(repeating: "r", count: 1_001)],
                ["action": "skip", "targets": ["rollout-a-b"]],
                ["action": "retry"],
                ["action": "retry", "targets": (0...1_000).map { "rollout-a-\($0)" }],
                ["action": "retry", "targets": ["rollout-\u{0}"]],
                ["action": "pause", "targets": ["rollout-a-b"]],
            ]
            for action in actions {
                let refused = try await stack.call("POST", "/api/v1/releases/\(key)/rollout/actions", as: .rolloutOperator, json: action)
                #expect(refused.status == 400 && refused.isProblem, "\(action["action"]!): \(refused.status)")
            }
            let unknownRelease = try await stack.call(
                "POST", "/api/v1/releases/REL-999999995/rollout/actions", as: .rolloutOperator, json: ["action": "pause"])
            #expect(unknownRelease.status == 404)
            let operatorCLI = ["SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.rolloutOperator]!]
            let usage = try CLIEndToEndTests.shipboard(["rollout", "plan", key, "--threshold", "ten"], environment: operatorCLI)
            #expect(usage.status == 2, "a malformed flag is a usage error: \(usage.err)")
            let refused = try CLIEndToEndTests.shipboard(["rollout", "plan", key, "--site", "dc1", "--window", "0"], environment: operatorCLI)
            #expect(refused.status == 1 && refused.err.contains("window"), "\(refused.err)")
        }
    }
}
