import AMQP
import Foundation
import GatewayCore
import Messaging
import Testing

/// The release page's rollout section and its live stream, and the actions it offers (tasks,
/// rollout controls), over HTTP against the real gateway, planning and PostgreSQL; the rollout
/// is written into shipboard-rollout's tables (``RolloutFixture``) and its control commands
/// are answered by ``RolloutStandIn``.
@Suite("Dashboard: live rollout progress and actions", .serialized)
struct DashboardLiveTests {
    @Test("the page renders the rollout's progress with the contract ids; the stream needs a session and sends the progress again when it changes")
    func liveProgress() async throws {
        try await GatewayStack.with { stack in
            let key = try await DashboardTests.release(stack, title: "Live rollout \(stack.suffix)")
            let fixture = try await RolloutFixture.withNineTargets(releaseKey: key)
            defer { Task { await fixture.close() } }
            let viewer = try await DashboardTests.signedIn(stack, "watcher", roles: [.viewer])
            defer { Task { await viewer.shutdown() } }

            let page = try await viewer.get("/ui/releases/\(key)")
            #expect(page.status == 200)
            #expect(page.html.contains("<progress id=\"rollout-progress\" value=\"3\" max=\"9\""), "\(page.html)")
            #expect(page.html.contains("<span id=\"rollout-count\">3 of 9 succeeded, 1 failed</span>"))
            #expect(page.html.contains("<span id=\"rollout-state\">paused</span>"))
            #expect(page.html.contains("data-wave=\"0\" value=\"2\" max=\"2\"") && page.html.contains("data-site=\"dc1\" value=\"2\" max=\"5\""))
            #expect(page.html.contains("data-site=\"dc2\"") && page.html.contains("2 waiting for a worker"))
            #expect(page.html.contains("<script src=\"/ui/static/rollout-live.js\" defer></script>") && !page.html.contains("<script>"))
            #expect(!page.html.contains("/rollout/pause\"") && !page.html.contains("/rollout/abort\""), "a viewer steers nothing")

            let script = try await viewer.get("/ui/static/rollout-live.js")
            #expect(script.status == 200 && script.html.contains("new EventSource(address)") && script.html.contains("rollout-count"))

            // No session: 401, no stream.
            let anonymous = DashboardBrowser(base: stack.base)
            defer { Task { await anonymous.shutdown() } }
            let refused = try await anonymous.get("/ui/releases/\(key)/events")
            #expect(refused.status == 401 && !refused.html.contains("event: rollout"))

            let cookie = viewer.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let reader = EventStreamReader()
            let task = reader.start(URL(string: "\(stack.base.absoluteString)/ui/releases/\(key)/events")!, headers: ["Cookie": cookie])
            defer { task.cancel() }
            var events = reader.events.makeAsyncIterator()
            let first = try #require(await events.next())
            #expect(first.event == "rollout" && first.data.contains("\"text\":\"3 of 9 succeeded, 1 failed\""), "\(first)")
            #expect(first.data.contains("\"state\":\"paused\""))
            try await fixture.succeed("rollout-ci-app-0001-ci-srv-0006")
            var changed: EventStreamReader.Event?
            while let event = await events.next() {
                if event.event == "rollout", event.data.contains("4 of 9 succeeded") { changed = event; break }
            }
            #expect(changed?.data.contains("\"done\":4") == true, "the changed progress is sent")

            // The stream ends with the release, saying it is final.
            let cancel = try await stack.call(
                "POST", "/api/v1/releases/\(key)/cancel", as: .releaseManager, json: ["expectedPhase": "initiate", "reason": "test"])
            #expect(cancel.status == 200)
            var last: EventStreamReader.Event?
            while let event = await events.next() { last = event }
            #expect(last?.event == "release" && last?.data.contains("\"final\":true") == true, "\(String(describing: last))")
            let finished = try await viewer.get("/ui/releases/\(key)")
            #expect(finished.html.contains("this is the final progress") && !finished.html.contains("rollout-live.js"))
            #expect(try await viewer.get("/ui/releases/REL-999999996/events").status == 404)
        }
    }

    @Test("a rollout operator pauses, resumes or aborts only with the token, through the API's operation; a viewer's forged POST and bad reasons are refused")
    func rolloutControls() async throws {
        try await GatewayStack.with { stack in
            let broker = AMQPClient(
                configuration: try AMQPConfiguration(url: stack.environment["SHIPBOARD_AMQP_URL"]!), topology: MessagingTopology.shipboard)
            let run = Task { await broker.run() }
            defer { run.cancel() }
            let operatorName = "steerer-\(stack.suffix)"
            let standIn = RolloutStandIn(broker: broker, actors: [operatorName, "gazer-\(stack.suffix)"])
            let answering = Task { try await standIn.run() }
            defer { answering.cancel() }
            let key = try await DashboardTests.release(stack, title: "Steered \(stack.suffix)")
            let fixture = try await RolloutFixture.withNineTargets(releaseKey: key)
            defer { Task { await fixture.close() } }

            let steerer = try await DashboardTests.signedIn(stack, "steerer", roles: [.rolloutOperator])
            defer { Task { await steerer.shutdown() } }
            let page = try await steerer.get("/ui/releases/\(key)")
            // Paused: resume and abort, no pause (shipboard-rollout's rule).
            #expect(page.html.contains("action=\"/ui/releases/\(key)/rollout/resume\"") && page.html.contains("/rollout/abort\""), "\(page.html)")
            #expect(!page.html.contains("/rollout/pause\"") && page.html.contains("<label for=\"abort-reason\">"))
            let csrf = try #require(page.hidden("csrf"))
            let resumeKey = UUID().uuidString

            #expect(try await steerer.post("/ui/releases/\(key)/rollout/resume", [("idempotencyKey", resumeKey)]).status == 403)
            #expect(standIn.commands.isEmpty, "no token, nothing sent")
            let resumed = try await steerer.post("/ui/releases/\(key)/rollout/resume", [("csrf", csrf), ("idempotencyKey", resumeKey)])
            #expect(resumed.status == 303 && resumed.location == "/ui/releases/\(key)?acted=rollout-resumed", "\(resumed.status) \(resumed.html)")
            let sent = try #require(standIn.commands.last)
            #expect(sent.type == "rollout.control" && sent.action == "resume" && sent.actor == operatorName)
            #expect(try await steerer.get("/ui/releases/\(key)?acted=rollout-resumed").html.contains("The rollout is resumed."))

            // Abort: a reason is required and checked by the API's rule; a script is sent as text, never shown raw.
            let count = standIn.commands.count
            for bad in ["", "stop\u{0}now", String(repeating: "r", count: 1_001)] {
                let refused = try await steerer.post("/ui/releases/\(key)/rollout/abort", [("csrf", csrf), ("reason", bad)])
                #expect(refused.status == 400 && refused.html.contains("reason") && !refused.html.contains("\u{0}"), "\(refused.status)")
            }
            #expect(standIn.commands.count == count, "a refused reason is never sent")
            let hostile = "<script>alert(1)</script>" + String(repeating: "x", count: 275)
            let aborted = try await steerer.post("/ui/releases/\(key)/rollout/abort", [("csrf", csrf), ("reason", hostile)])
            #expect(aborted.status == 303 && standIn.commands.last?.reason == hostile)
            #expect(try await steerer.post("/ui/releases/\(key)/rollout/explode", [("csrf", csrf)]).status == 404)

            // A viewer sees no control, and their own valid token does not make them an operator.
            let gazer = try await DashboardTests.signedIn(stack, "gazer", roles: [.viewer])
            defer { Task { await gazer.shutdown() } }
            let seen = try await gazer.get("/ui/releases/\(key)")
            #expect(!seen.html.contains("/rollout/resume\"") && !seen.html.contains("/rollout/abort\""))
            let forged = try await gazer.post("/ui/releases/\(key)/rollout/pause", [("csrf", try #require(seen.hidden("csrf")))])
            #expect(forged.status == 403 && standIn.commands.allSatisfy { $0.actor == operatorName })
        }
    }

    @Test("a release manager starts and finishes a ready task from the page; a tester outside its group sees no button and a forged POST is refused by planning")
    func taskActions() async throws {
        try await GatewayStack.with { stack in
            let key = try await DashboardTests.release(stack, title: "Worked on the page \(stack.suffix)")
            let plan = try await stack.call("GET", "/api/v1/releases/\(key)/work-plan", as: .viewer)
            let tasks = plan.json["tasks"] as? [[String: Any]] ?? []
            let ready = try #require(tasks.first { $0["state"] as? String == "ready" && ($0["kind"] as? String ?? "manual") == "manual" })
            let task = try #require(ready["key"] as? String)
            let path = "/ui/releases/\(key)/tasks/\(task)"

            let tester = try await DashboardTests.signedIn(stack, "outsider", roles: [.tester])
            defer { Task { await tester.shutdown() } }
            let seen = try await tester.get("/ui/releases/\(key)")
            #expect(seen.status == 200 && !seen.html.contains("action=\"\(path)/start\""), "not their task: no button")
            let forged = try await tester.post("\(path)/start", [("csrf", try #require(seen.hidden("csrf")))])
            #expect(forged.status == 403 && forged.html.contains("only the assignee, the owning group or a release manager"), "\(forged.html)")
            #expect(!forged.html.contains("tasks.not_assignee"), "no internal rule names")

            let manager = try await DashboardTests.signedIn(stack, "foreman", roles: [.releaseManager])
            defer { Task { await manager.shutdown() } }
            let page = try await manager.get("/ui/releases/\(key)")
            #expect(page.html.contains("action=\"\(path)/start\"") && page.html.contains("aria-label=\"Start task \(task)\""), "\(page.html)")
            #expect(!page.html.contains("action=\"\(path)/finish\""), "a ready task is started before it is finished")
            let csrf = try #require(page.hidden("csrf"))
            #expect(try await manager.post("\(path)/start", []).status == 403)
            let started = try await manager.post("\(path)/start", [("csrf", csrf), ("idempotencyKey", UUID().uuidString)])
            #expect(started.status == 303 && started.location == "/ui/releases/\(key)?acted=task-started", "\(started.status) \(started.html)")
            let after = try await manager.get("/ui/releases/\(key)?acted=task-started")
            #expect(after.html.contains("The task is started.") && after.html.contains("action=\"\(path)/finish\""))
            #expect(!after.html.contains("action=\"\(path)/start\""))
            let again = try await manager.post("\(path)/start", [("csrf", csrf)])
            #expect(again.status == 409 && again.html.contains("already in progress"), "a refusal shows the API's words: \(again.html)")
            let finished = try await manager.post("\(path)/finish", [("csrf", csrf)])
            #expect(finished.status == 303)
            let state = try await stack.call("GET", "/api/v1/releases/\(key)/work-plan", as: .viewer)
            let done = (state.json["tasks"] as? [[String: Any]] ?? []).first { $0["key"] as? String == task }
            #expect(done?["state"] as? String == "done")
            #expect(try await manager.post("\(path)/explode", [("csrf", csrf)]).status == 404)
        }
    }

    @Test("a task's start clicked twice (the same form, at once) starts it once and both clicks end on the page; a 300-character or NUL task name is a clear 404")
    func doubleClickedTaskStart() async throws {
        try await GatewayStack.with { stack in
            let key = try await DashboardTests.release(stack, title: "Clicked twice \(stack.suffix)")
            let plan = try await stack.call("GET", "/api/v1/releases/\(key)/work-plan", as: .viewer)
            let ready = try #require((plan.json["tasks"] as? [[String: Any]] ?? []).first {
                $0["state"] as? String == "ready" && ($0["kind"] as? String ?? "manual") == "manual"
            })
            let task = try #require(ready["key"] as? String)
            let manager = try await DashboardTests.signedIn(stack, "clicker", roles: [.releaseManager])
            defer { Task { await manager.shutdown() } }
            let page = try await manager.get("/ui/releases/\(key)")
            let form = [("csrf", try #require(page.hidden("csrf"))), ("idempotencyKey", UUID().uuidString)]
            let path = "/ui/releases/\(key)/tasks/\(task)/start"
            async let first = manager.post(path, form)
            async let second = manager.post(path, form)
            let answers = try await [first, second]
            #expect(answers.allSatisfy { $0.status == 303 && $0.location == "/ui/releases/\(key)?acted=task-started" },
                    "\(answers.map { "\($0.status) \($0.location ?? "")" })")
            let audit = try await stack.call("GET", "/api/v1/releases/\(key)/audit", as: .viewer)
            let starts = (audit.json["entries"] as? [[String: Any]] ?? []).filter {
                $0["action"] as? String == "release.task_changed" && "\($0["details"] ?? "")".contains("in_progress")
            }
            #expect(starts.count == 1, "one start in the audit trail: \(starts)")

            for hostile in [String(repeating: "t", count: 300), "a%00b"] {
                let fresh = [form[0], ("idempotencyKey", UUID().uuidString)]
                let refused = try await manager.post("/ui/releases/\(key)/tasks/\(hostile)/start", fresh)
                #expect(refused.status == 404 || refused.status == 400, "\(refused.status)")
                #expect(!refused.html.contains(String(repeating: "t", count: 300)) && !refused.html.contains("\u{0}"))
            }
        }
    }
}
