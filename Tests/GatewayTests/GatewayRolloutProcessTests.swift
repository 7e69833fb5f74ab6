import Foundation
import GatewayCore
import ShipboardTestSupport
import Testing

/// The whole path: the gateway and the CLI in front of a real shipboard-rollout process
/// (simulated driver) over the broker, planning a seeded release's rollout (dry run, then
/// stored), starting it, following it to the end, and the service's refusals mapped to
/// statuses and exit codes.
@Suite("Gateway and CLI with shipboard-rollout", .serialized)
struct GatewayRolloutProcessTests {
    @Test("plan (dry run, stored), start and follow a rollout to completion through the gateway; refusals after it ends")
    func planStartFollow() async throws {
        let seed = RolloutReleaseSeed()
        try await seed.insert()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-rollout-\(seed.tag)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try await GatewayStack.with(commandTimeoutSeconds: 5) { stack in
            try stack.startService("shipboard-rollout", extra: [
                "SHIPBOARD_ROLLOUT_DRIVER": "simulated", "SHIPBOARD_ROLLOUT_REPLICA": "gateway-test-\(seed.tag.lowercased())",
                "SHIPBOARD_ROLLOUT_TARGETS_ROOT": folder + "/targets", "SHIPBOARD_ROLLOUT_STAGING_ROOT": folder + "/staging",
                "SHIPBOARD_ROLLOUT_CACHE": folder + "/cache", "SHIPBOARD_HTTP_PORT": "0",
            ], log: folder + "/rollout.log")
            let key = seed.releaseKey
            let definition: [String: Any] = [
                "sources": [seed.source], "targets": ["sites": seed.sites], "canary": 1, "window": 2,
                "siteOrder": [seed.sites[2]], "failureThreshold": ["kind": "percent", "value": 50], "dryRun": true,
            ]
            // A dry run, resent until shipboard-rollout consumes (504s while it starts).
            var dryRun = try await stack.call("POST", "/api/v1/releases/\(key)/rollout/plan", as: .rolloutOperator, json: definition)
            let deadline = Date().addingTimeInterval(60)
            while dryRun.status == 504, Date() < deadline {
                dryRun = try await stack.call("POST", "/api/v1/releases/\(key)/rollout/plan", as: .rolloutOperator, json: definition)
            }
            #expect(dryRun.status == 200 && dryRun.json["dryRun"] as? Bool == true, "\(String(decoding: dryRun.data, as: UTF8.self))")
            let plan = dryRun.json["plan"] as? [String: Any] ?? [:]
            #expect((plan["rollouts"] as? [Any])?.count == 6 && (plan["waves"] as? [Any])?.count == 4 && plan["haltAfterFailures"] as? Int == 3)
            let missing = try await stack.call("GET", "/api/v1/releases/\(key)/rollout", as: .viewer)
            #expect(missing.status == 404, "a dry run stores nothing")

            let operatorCLI = ["SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.rolloutOperator]!]
            let flags = ["--source", seed.source, "--site", seed.sites.joined(separator: ","), "--canary", "1", "--window", "2",
                         "--site-order", seed.sites[2], "--threshold", "50%", "--between", "none"]
            let printed = try CLIEndToEndTests.shipboard(["rollout", "plan", key] + flags + ["--dry-run"], environment: operatorCLI)
            #expect(printed.status == 0 && printed.out.contains("(dry run: nothing stored)") && printed.out.hasSuffix("6 rollouts in 4 waves\n"),
                    "\(printed.out)\(printed.err)")
            let stored = try CLIEndToEndTests.shipboard(["rollout", "plan", key] + flags, environment: operatorCLI)
            #expect(stored.status == 0 && !stored.out.contains("dry run") && stored.out.contains("Wave 2 (site: \(seed.sites[2]))"),
                    "\(stored.out)\(stored.err)")
            let planned = try await stack.call("GET", "/api/v1/releases/\(key)/rollout", as: .viewer)
            #expect(planned.json["state"] as? String == "planned" && planned.json["image"] as? String == "\(seed.imageName)@1.0.0")

            let started = try CLIEndToEndTests.shipboard(["rollout", "start", key], environment: operatorCLI)
            #expect(started.status == 0 && started.out.contains("rollout of \(key): running"), "\(started.out)\(started.err)")
            var state = ""
            let end = Date().addingTimeInterval(60)
            while Date() < end {
                state = try await stack.call("GET", "/api/v1/releases/\(key)/rollout", as: .viewer).json["state"] as? String ?? ""
                if state == "completed" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(state == "completed")
            let status = try CLIEndToEndTests.shipboard(["rollout", "status", key], environment: operatorCLI)
            #expect(status.status == 0 && status.out.contains("6/6 settled (100%): 6 succeeded"), "\(status.out)\(status.err)")
            let bars = status.out.split(separator: "\n").filter { $0.contains("[################]  2/2  100%") }
            #expect(bars.map { String($0.prefix { $0 != " " }) } == seed.sites, "a full bar per site: \(status.out)")

            // The service's refusals, as statuses and exit codes.
            let pause = try CLIEndToEndTests.shipboard(["rollout", "pause", key], environment: operatorCLI)
            #expect(pause.status == 4 || pause.status == 5, "a finished rollout is not paused: \(pause.status) \(pause.err)")
            let viewer = try await stack.call("POST", "/api/v1/releases/\(key)/rollout/start", as: .viewer)
            #expect(viewer.status == 403)
        }
    }
}
