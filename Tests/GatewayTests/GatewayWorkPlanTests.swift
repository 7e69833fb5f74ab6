import Foundation
import GatewayCore
import Testing

/// A release's work plan through the API: applied by a release manager, read by anyone,
/// tasks worked only by the people they belong to, progress moving as they finish.
@Suite("Gateway: work plans through the API", .serialized)
struct GatewayWorkPlanTests {
    @Test("apply, read with progress, work tasks as the right people; others get 403; a hostile job plan is a 400 naming the field")
    func workPlanThroughTheAPI() async throws {
        try await GatewayStack.with { stack in
            let create = try await stack.call("POST", "/api/v1/releases", as: .releaseManager, json: ["title": "Tasks through the API"])
            let key = try #require(create.json["releaseKey"] as? String, "\(String(decoding: create.data, as: UTF8.self))")
            let apply = try await stack.call("POST", "/api/v1/releases/\(key)/work-plan", as: .releaseManager, json: [:])
            #expect(apply.status == 201 && apply.json["ready"] as? [String] == ["structure"], "\(String(decoding: apply.data, as: UTF8.self))")
            #expect(try await stack.call("POST", "/api/v1/releases/\(key)/work-plan", as: .releaseManager, json: [:]).status == 409)

            var plan = try await stack.call("GET", "/api/v1/releases/\(key)/work-plan", as: .viewer)
            #expect(plan.status == 200 && (plan.json["tasks"] as? [[String: Any]])?.count == 17, "\(String(decoding: plan.data, as: UTF8.self))")
            #expect(plan.json["percent"] as? Double == 0 && (plan.json["criticalPath"] as? [String])?.first == "structure")

            // A build engineer outside release-managers may not work the release structure.
            let notTheirs = try await stack.call(
                "POST", "/api/v1/releases/\(key)/tasks/structure/actions", as: .buildEngineer, json: ["action": "start"])
            #expect(notTheirs.status == 403 && notTheirs.problemType == "urn:shipboard:problem:forbidden:tasks.not_assignee")
            // The release manager may (the role travels from the gateway, not from the client).
            let started = try await stack.call(
                "POST", "/api/v1/releases/\(key)/tasks/structure/actions", as: .releaseManager, json: ["action": "start"])
            #expect(started.status == 200 && started.json["state"] as? String == "in_progress", "\(String(decoding: started.data, as: UTF8.self))")
            let finished = try await stack.call(
                "POST", "/api/v1/releases/\(key)/tasks/structure/actions", as: .releaseManager, json: ["action": "finish"])
            #expect(finished.json["nowReady"] as? [String] == ["ci-relationships", "communication-plan", "education-plan"])
            let forged = try await stack.call(
                "POST", "/api/v1/releases/\(key)/tasks/ci-relationships/actions", as: .buildEngineer,
                json: ["action": "start", "asReleaseManager": true])
            #expect(forged.status == 400, "a client cannot claim the role")
            let noReason = try await stack.call(
                "POST", "/api/v1/releases/\(key)/tasks/education-plan/actions", as: .releaseManager, json: ["action": "skip"])
            #expect(noReason.status == 400 && noReason.problemType == "urn:shipboard:problem:validation:tasks.reason")

            plan = try await stack.call("GET", "/api/v1/releases/\(key)/work-plan", as: .tester)
            let tasks = plan.json["tasks"] as? [[String: Any]] ?? []
            #expect(tasks.first { $0["key"] as? String == "structure" }?["state"] as? String == "done")
            #expect((plan.json["percent"] as? Double ?? 0) > 5)
            #expect(try await stack.call("GET", "/api/v1/releases/REL-999999996/work-plan", as: .viewer).status == 404)

            // Edits: add, re-link (a cycle is named), remove; only release managers.
            let added = try await stack.call("POST", "/api/v1/releases/\(key)/work-plan/tasks", as: .releaseManager, json: [
                "task": ["key": "legal-check", "title": "Legal check", "group": "g", "phase": "initiate", "owner": "group:legal",
                         "estimateMinutes": 30, "predecessors": ["ci-relationships"]],
            ])
            #expect(added.status == 201 && added.json["taskCount"] as? Int == 18, "\(String(decoding: added.data, as: UTF8.self))")
            let loop = try await stack.call("PATCH", "/api/v1/releases/\(key)/work-plan/tasks/ci-relationships", as: .releaseManager,
                                            json: ["predecessors": ["legal-check"]])
            #expect(loop.status == 400 && loop.problemType == "urn:shipboard:problem:validation:tasks.cycle")
            #expect(try await stack.call("DELETE", "/api/v1/releases/\(key)/work-plan/tasks/legal-check", as: .tester).status == 403)
            let removed = try await stack.call("DELETE", "/api/v1/releases/\(key)/work-plan/tasks/legal-check", as: .releaseManager)
            #expect(removed.status == 200 && removed.json["taskCount"] as? Int == 17)

            let cycle = try await stack.call("POST", "/api/v1/job-plans", as: .releaseManager, json: [
                "name": "gateway-loop",
                "tasks": [
                    ["key": "a", "title": "A", "group": "g", "phase": "plan", "owner": "group:x", "estimateMinutes": 5, "predecessors": ["b"]],
                    ["key": "b", "title": "B", "group": "g", "phase": "plan", "owner": "group:x", "estimateMinutes": 5, "predecessors": ["a"]],
                ],
            ])
            #expect(cycle.status == 400 && cycle.problemType == "urn:shipboard:problem:validation:tasks.cycle",
                    "\(String(decoding: cycle.data, as: UTF8.self))")
            let saved = try await stack.call("POST", "/api/v1/job-plans", as: .admin, json: [
                "name": "gateway-small-\(stack.suffix)",
                "tasks": [["key": "only", "title": "The only task", "group": "g", "phase": "plan", "owner": "person:ann", "estimateMinutes": 5]],
            ])
            #expect(saved.status == 201 && saved.json["version"] as? Int == 1, "\(String(decoding: saved.data, as: UTF8.self))")
        }
    }
}
