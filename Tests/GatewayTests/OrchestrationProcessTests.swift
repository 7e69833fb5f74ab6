import AMQP
import Contracts
import Foundation
import GatewayCore
import Messaging
import Testing

/// Orchestration with every part a separate process or real server: planning (with its outbox
/// relay and its events consumer) and the gateway as processes, RabbitMQ carrying the step
/// commands to the services' queues; first with stand-ins answering as the services do (to
/// show a command waiting for a service that is not running), then with the real
/// shipboard-build and shipboard-testing.
@Suite("Orchestration over the real servers", .serialized)
struct OrchestrationProcessTests {
    @Test("a build command waits in build.commands while no build service runs; stand-ins answer; the release auto-advances to review")
    func standInServicesDriveTheRelease() async throws {
        try await GatewayStack.with { stack in
            let plan = try await Self.saveJobPlan("pipeline-\(stack.suffix)", stack, tasks: [
                ["key": "compile", "title": "Build", "group": "g", "phase": "build", "owner": "group:builders",
                 "estimateMinutes": 10, "kind": "automated", "step": "build"],
                ["key": "verify", "title": "Test", "group": "g", "phase": "test", "owner": "group:testers",
                 "estimateMinutes": 10, "predecessors": ["compile"], "kind": "automated", "step": "test"],
            ])
            let created = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": "Orchestrated \(stack.suffix)"])
            let key = try #require(created.json["releaseKey"] as? String)
            #expect(try await stack.call("POST", "/api/v1/releases/\(key)/work-plan", as: .releaseManager, json: ["jobPlanName": plan]).status == 201)
            #expect(try await stack.call("POST", "/api/v1/releases/\(key)/submit", as: .releaseManager).status == 200)
            let approve = try await stack.call("POST", "/api/v1/releases/\(key)/approve", as: .approver, json: ["expectedPhase": "initiate"])
            #expect(approve.status == 200, "\(String(decoding: approve.data, as: UTF8.self))")
            let auto = try await stack.call("PUT", "/api/v1/releases/\(key)/auto-advance", as: .releaseManager, json: ["enabled": true])
            #expect(auto.status == 200 && auto.json["phase"] as? String == "build", "\(String(decoding: auto.data, as: UTF8.self))")

            // No build service runs: the command waits in its queue; the task waits on the service.
            let broker = AMQPClient(configuration: try AMQPConfiguration(url: stack.environment["SHIPBOARD_AMQP_URL"]!),
                                    topology: MessagingTopology.shipboard)
            let run = Task { await broker.run() }
            defer { run.cancel() }
            #expect(try await Self.eventually { try await broker.currentConnection().queueCounts("build.commands").messages >= 1 })
            let waiting = try await stack.call("GET", "/api/v1/releases/\(key)/work-plan", as: .viewer)
            let compile = (waiting.json["tasks"] as? [[String: Any]])?.first { $0["key"] as? String == "compile" }
            #expect(compile?["state"] as? String == "in_progress" && compile?["assignee"] as? String == "shipboard-build")

            // The stand-ins start: each answers its service's commands for this release.
            let standIns = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await Self.answer(BuildImage.self, on: "build.commands", for: key, broker) { command in
                        ImageBuildFinished(releaseKey: command.releaseKey, taskKey: command.taskKey, succeeded: true) } }
                    group.addTask { try await Self.answer(RunTests.self, on: "testing.commands", for: key, broker) { command in
                        TestsFinished(releaseKey: command.releaseKey, taskKey: command.taskKey, succeeded: true, detail: "40 of 40") } }
                    try await group.waitForAll()
                }
            }
            defer { standIns.cancel() }
            let reachedReview = try await Self.eventually(timeout: .seconds(30)) {
                try await stack.call("GET", "/api/v1/releases/\(key)", as: .viewer).json["phase"] as? String == "review"
            }
            #expect(reachedReview, "the release did not advance to review")
            let done = try await stack.call("GET", "/api/v1/releases/\(key)/work-plan", as: .viewer)
            #expect((done.json["tasks"] as? [[String: Any]])?.allSatisfy { $0["state"] as? String == "done" } == true)
            #expect(done.json["percent"] as? Double == 100)
            let audit = try await stack.call("GET", "/api/v1/releases/\(key)/audit/verification", as: .viewer)
            #expect(audit.json["intact"] as? Bool == true, "\(String(decoding: audit.data, as: UTF8.self))")
        }
    }

    @Test("the real shipboard-build and shipboard-testing drive the release: planning's build and test tasks finish from their events, a tester's acceptance finishes the acceptance task, and the release auto-advances to review")
    func realServicesDriveTheRelease() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("orchestration-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let uploads = folder + "/import/uploads"
        try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
        try await GatewayStack.with(gatewayEnvironment: ["SHIPBOARD_UPLOAD_ROOT": uploads]) { stack in
            try stack.startService("shipboard-build", extra: [
                "SHIPBOARD_IMPORT_ROOT": folder + "/import", "SHIPBOARD_IMAGE_STORE": folder + "/images", "SHIPBOARD_HTTP_PORT": "0",
            ], log: folder + "/build.log")
            try stack.startService("shipboard-testing", extra: GatewayStack.testingEnvironment(
                folder: folder, imageStore: folder + "/images"), log: folder + "/testing.log")
            let plan = try await Self.saveJobPlan("delivery-\(stack.suffix)", stack, tasks: [
                ["key": "package", "title": "Build the image", "group": "g", "phase": "build", "owner": "group:builders",
                 "estimateMinutes": 10, "kind": "automated", "step": "build"],
                ["key": "check", "title": "Test the image", "group": "g", "phase": "test", "owner": "group:testers",
                 "estimateMinutes": 10, "predecessors": ["package"], "kind": "automated", "step": "test"],
                ["key": "accept", "title": "Accept it into the DML", "group": "g", "phase": "test", "owner": "group:testers",
                 "estimateMinutes": 10, "predecessors": ["check"], "kind": "approval"],
            ])
            let created = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": "Delivered \(stack.suffix)"])
            let key = try #require(created.json["releaseKey"] as? String)
            #expect(try await stack.call("POST", "/api/v1/releases/\(key)/work-plan", as: .releaseManager, json: ["jobPlanName": plan]).status == 201)
            // The build engineer's files and spec are ready before the release reaches build.
            let version = "3.0.\(stack.suffix)"
            try await GatewayDMLTests.savePassingImageSpec(stack, key, version: version)
            #expect(try await stack.call("POST", "/api/v1/releases/\(key)/submit", as: .releaseManager).status == 200)
            let approve = try await stack.call("POST", "/api/v1/releases/\(key)/approve", as: .approver, json: ["expectedPhase": "initiate"])
            #expect(approve.status == 200, "\(String(decoding: approve.data, as: UTF8.self))")
            let auto = try await stack.call("PUT", "/api/v1/releases/\(key)/auto-advance", as: .releaseManager, json: ["enabled": true])
            #expect(auto.status == 200, "\(String(decoding: auto.data, as: UTF8.self))")

            // shipboard-build builds it, planning moves on to test, shipboard-testing tests it:
            // the acceptance task becomes ready and waits for a person.
            func task(_ name: String) async throws -> [String: Any]? {
                let plan = try await stack.call("GET", "/api/v1/releases/\(key)/work-plan", as: .viewer)
                return (plan.json["tasks"] as? [[String: Any]])?.first { $0["key"] as? String == name }
            }
            let acceptReady = try await Self.eventually(timeout: .seconds(90)) { try await task("accept")?["state"] as? String == "ready" }
            let package = try await task("package"), check = try await task("check")
            #expect(acceptReady, "the acceptance task never became ready: \(package ?? [:]) \(check ?? [:])")
            #expect(package?["state"] as? String == "done" && check?["state"] as? String == "done")
            let runs = try await stack.call("GET", "/api/v1/releases/\(key)/test-runs", as: .viewer).json["items"] as? [[String: Any]] ?? []
            #expect(runs.count == 1 && runs.first?["outcome"] as? String == "passed", "\(runs)")

            // The build engineer made the image and may not accept it; the tester accepts.
            let own = try await stack.call("POST", "/api/v1/releases/\(key)/acceptance", as: .buildEngineer, json: ["decision": "accept"])
            #expect(own.status == 403)
            let accepted = try await stack.call("POST", "/api/v1/releases/\(key)/acceptance", as: .tester, json: ["decision": "accept"])
            #expect(accepted.status == 200, "\(String(decoding: accepted.data, as: UTF8.self))")
            let reachedReview = try await Self.eventually(timeout: .seconds(30)) {
                try await stack.call("GET", "/api/v1/releases/\(key)", as: .viewer).json["phase"] as? String == "review"
            }
            #expect(reachedReview, "the release did not advance to review")
            let accept = try await task("accept")
            #expect(accept?["state"] as? String == "done", "\(accept ?? [:])")
            let entry = try await stack.call("GET", "/api/v1/dml/gateway-dml/\(version)", as: .viewer)
            let shown = entry.json["entry"] as? [String: Any] ?? [:]
            #expect(entry.status == 200 && shown["releaseKey"] as? String == key && shown["acceptedBy"] as? String == stack.name(.tester),
                    "\(String(decoding: entry.data, as: UTF8.self))")
            let audit = try await stack.call("GET", "/api/v1/releases/\(key)/audit/verification", as: .viewer)
            #expect(audit.json["intact"] as? Bool == true, "\(String(decoding: audit.data, as: UTF8.self))")
        }
    }

    /// Saves the job plan `name` with `tasks`, makes the stack's approver a release approver, and
    /// has build and test left only with their tasks finished; returns the plan's name.
    static func saveJobPlan(_ name: String, _ stack: GatewayStack, tasks: [[String: Any]]) async throws -> String {
        _ = try await stack.call("PUT", "/api/v1/groups/release-approvers/members/\(stack.name(.approver))", as: .admin)
        let saved = try await stack.call("POST", "/api/v1/job-plans", as: .releaseManager, json: ["name": name, "tasks": tasks])
        #expect(saved.status == 201, "\(String(decoding: saved.data, as: UTF8.self))")
        for phase in ["build", "test"] {
            let set = try await stack.call("PUT", "/api/v1/exit-criteria/\(phase)/phase_tasks_finished", as: .admin, json: ["severity": "error"])
            #expect(set.status == 200, "\(String(decoding: set.data, as: UTF8.self))")
        }
        return name
    }

    /// A stand-in service: takes `Command`s for `key` from `queue` and publishes the answer
    /// `reply` makes as the real service would (on shipboard.events, its type as routing key).
    static func answer<Command: CommandContract, Answer: EventContract>(
        _ type: Command.Type, on queue: String, for key: String, _ broker: AMQPClient, reply: @Sendable (Command) -> Answer
    ) async throws {
        let deliveries = try await broker.consume(queue: queue, prefetch: 10)
        for try await delivery in deliveries {
            // Only this test feeds these queues on the test vhost: what is not for this release
            // is left over from an earlier run, and dropped.
            guard let envelope = try? ContractCoding.decode(Envelope<Command>.self, from: delivery.body), envelope.correlationId == key else {
                try await delivery.ack()
                continue
            }
            let answer = Envelope(reply(envelope.payload), correlationId: key, actor: "shipboard-\(queue.split(separator: ".")[0])",
                                  causationId: envelope.id)
            try await broker.publish(AMQPMessage(
                exchange: Exchanges.events, routingKey: Answer.routingKey, body: try ContractCoding.encode(answer),
                properties: AMQPProperties(messageID: answer.id.uuidString.lowercased(), type: Answer.messageType)))
            try await delivery.ack()
        }
    }

    static func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }
}
