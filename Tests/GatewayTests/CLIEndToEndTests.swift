import Foundation
import GatewayCore
import ShipboardTestSupport
import Testing

/// The `shipboard` CLI as a user types it, against the real gateway and planning: login
/// writes a private credentials file, commands answer with the documented exit statuses and
/// one error line, tables fit 80 columns, and `release watch` follows a release to its end.
@Suite("shipboard CLI end to end", .serialized)
struct CLIEndToEndTests {
    struct Run {
        let status: Int32
        let out: String
        let err: String
    }

    /// Runs `shipboard arguments` with `environment` (plus PATH and HOME) and `input` on stdin.
    static func shipboard(_ arguments: [String], environment: [String: String], input: String = "") throws -> Run {
        let process = Process()
        process.executableURL = try ProductBinary.locate("shipboard")
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin", "COLUMNS": "80"]) { $1 }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Run(status: process.terminationStatus, out: out, err: err)
    }

    @Test("login, create, change, submit, approve, refusals with their exit statuses, and watch to the end")
    func releaseByCommandLine() async throws {
        try await GatewayStack.with { stack in
            let home = FileManager.default.temporaryDirectory.appendingPathComponent("shipboard-cli-\(stack.suffix)")
            defer { try? FileManager.default.removeItem(at: home) }
            let config = home.appendingPathComponent("credentials").path
            let manager = ["HOME": home.path, "SHIPBOARD_CONFIG": config]
            let login = try Self.shipboard(["login", "--url", stack.base.absoluteString], environment: manager,
                                           input: stack.tokens[.releaseManager]! + "\n")
            #expect(login.status == 0, "\(login.err)")
            let mode = try FileManager.default.attributesOfItem(atPath: config)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(!login.out.contains(stack.tokens[.releaseManager]!) && !login.err.contains(stack.tokens[.releaseManager]!))

            let whoami = try Self.shipboard(["whoami", "--output", "json"], environment: manager)
            #expect(whoami.status == 0 && whoami.out.contains(stack.name(.releaseManager)))

            let create = try Self.shipboard(
                ["release", "create", "--title", "CLI release", "--type", "minor", "--justification", "because", "--output", "json"],
                environment: manager)
            #expect(create.status == 0, "\(create.err)")
            let created = try JSONSerialization.jsonObject(with: Data(create.out.utf8)) as? [String: Any]
            let key = try #require(created?["releaseKey"] as? String)
            let change = try Self.shipboard(
                ["change", "add", key, "--id", "CHG-CLI-\(stack.suffix)", "--title", "A change", "--risk", "low"], environment: manager)
            #expect(change.status == 0, "\(change.err)")
            // Submitting needs a gate the release can pass: its group must have an eligible member
            // (other tests may or may not have added one before this runs).
            _ = try await stack.call("PUT", "/api/v1/groups/release-approvers/members/\(stack.name(.approver))", as: .admin)
            let submit = try Self.shipboard(["release", "submit", key], environment: manager)
            #expect(submit.status == 0, "\(submit.err)")

            let list = try Self.shipboard(["release", "list", "--q", "CLI release"], environment: manager)
            #expect(list.status == 0 && list.out.contains(key))
            #expect(list.out.split(separator: "\n").allSatisfy { $0.count <= 80 }, "tables fit 80 columns:\n\(list.out)")

            // Refusals: the manager may not approve (3), an unknown release (4), a stale view (5).
            let notAllowed = try Self.shipboard(["release", "approve", key], environment: manager)
            #expect(notAllowed.status == 3 && notAllowed.err.split(separator: "\n").count == 1, "\(notAllowed.err)")
            #expect(notAllowed.err.hasPrefix("shipboard: "))
            let unknown = try Self.shipboard(["release", "show", "REL-999999995"], environment: manager)
            #expect(unknown.status == 4, "\(unknown.err)")
            let usage = try Self.shipboard(["release", "create"], environment: manager)
            #expect(usage.status == 2)

            let approver = ["HOME": home.path, "SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[.approver]!]
            let stale = try Self.shipboard(["release", "approve", key, "--expect-phase", "plan"], environment: approver)
            #expect(stale.status == 5, "\(stale.err)")

            // Watch in the background while the approver approves and the manager cancels.
            let watcher = Process()
            watcher.executableURL = try ProductBinary.locate("shipboard")
            watcher.arguments = ["release", "watch", key]
            watcher.environment = manager.merging(["PATH": "/usr/bin:/bin"]) { $1 }
            let watched = Pipe()
            watcher.standardOutput = watched
            watcher.standardError = FileHandle.nullDevice
            try watcher.run()
            // Its first line (the release as it is now, pending approval) before anything
            // changes it: approving first raced the watcher's connection on a loaded machine.
            let firstLines = watched.fileHandleForReading.availableData
            let approve = try Self.shipboard(["release", "approve", key, "--comment", "fine"], environment: approver)
            #expect(approve.status == 0, "\(approve.err)")
            try await Task.sleep(for: .seconds(1))
            let cancel = try Self.shipboard(["release", "cancel", key, "--reason", "done testing"], environment: manager)
            #expect(cancel.status == 0, "\(cancel.err)")
            let lines = String(decoding: firstLines + watched.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            watcher.waitUntilExit()
            #expect(watcher.terminationStatus == 0, "\(lines)")
            #expect(lines.contains("pending_approval") && lines.contains("cancelled"), "\(lines)")

            let audit = try Self.shipboard(["audit", "verify", key], environment: manager)
            #expect(audit.status == 0, "\(audit.out) \(audit.err)")
        }
    }

    @Test("plan apply, task start and finish in order, refusals with their exit statuses, plan show and its Gantt chart in 80 columns")
    func workPlanByCommandLine() async throws {
        try await GatewayStack.with { stack in
            let home = FileManager.default.temporaryDirectory.appendingPathComponent("shipboard-cli-plan-\(stack.suffix)")
            defer { try? FileManager.default.removeItem(at: home) }
            func user(_ role: Role) -> [String: String] {
                ["HOME": home.path, "SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[role]!]
            }
            let create = try Self.shipboard(["release", "create", "--title", "CLI plan", "--output", "json"], environment: user(.releaseManager))
            let created = try JSONSerialization.jsonObject(with: Data(create.out.utf8)) as? [String: Any]
            let key = try #require(created?["releaseKey"] as? String, "\(create.err)")

            let apply = try Self.shipboard(["plan", "apply", key], environment: user(.releaseManager))
            #expect(apply.status == 0 && apply.out.contains("ready: structure"), "\(apply.out) \(apply.err)")
            #expect(try Self.shipboard(["plan", "apply", key], environment: user(.releaseManager)).status == 5)
            let early = try Self.shipboard(["task", "start", key, "ci-relationships"], environment: user(.releaseManager))
            #expect(early.status == 5 && early.err.contains("structure"), "\(early.err)")
            let notTheirs = try Self.shipboard(["task", "start", key, "structure"], environment: user(.tester))
            #expect(notTheirs.status == 3, "\(notTheirs.err)")
            #expect(try Self.shipboard(["task", "start", key, "structure"], environment: user(.releaseManager)).status == 0)
            let finish = try Self.shipboard(["task", "finish", key, "structure"], environment: user(.releaseManager))
            #expect(finish.status == 0 && finish.out.contains("now ready: ci-relationships"), "\(finish.out) \(finish.err)")
            let skip = try Self.shipboard(["task", "skip", key, "education-plan", "--reason", "no new screens"], environment: user(.releaseManager))
            #expect(skip.status == 0 && skip.out.contains("skipped"), "\(skip.err)")
            #expect(try Self.shipboard(["task", "skip", key, "communication-plan"], environment: user(.releaseManager)).status == 2,
                    "a skip without --reason is a usage error")

            let auto = try Self.shipboard(["plan", "auto-advance", key, "on"], environment: user(.releaseManager))
            #expect(auto.status == 0 && auto.out.hasPrefix("auto-advance on for \(key): initiate ▸ draft"), "\(auto.out) \(auto.err)")
            #expect(try Self.shipboard(["plan", "auto-advance", key, "sometimes"], environment: user(.releaseManager)).status == 2)

            let show = try Self.shipboard(["plan", "show", key], environment: user(.viewer))
            #expect(show.status == 0 && show.out.contains("structure") && show.out.contains("critical path"), "\(show.out) \(show.err)")
            #expect(show.out.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(show.out)")
            let gantt = try Self.shipboard(["plan", "show", key, "--gantt"], environment: user(.viewer))
            #expect(gantt.status == 0 && gantt.out.contains("█") && gantt.out.contains("span "), "\(gantt.out)")
            #expect(gantt.out.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(gantt.out)")
            // watch names the tasks in progress beside the status.
            let watcher = Process()
            watcher.executableURL = try ProductBinary.locate("shipboard")
            watcher.arguments = ["release", "watch", key]
            watcher.environment = user(.viewer).merging(["PATH": "/usr/bin:/bin"]) { $1 }
            let watched = Pipe()
            watcher.standardOutput = watched
            watcher.standardError = FileHandle.nullDevice
            try watcher.run()
            try await Task.sleep(for: .seconds(1))
            #expect(try Self.shipboard(["task", "start", key, "ci-relationships"], environment: user(.releaseManager)).status == 0)
            try await Task.sleep(for: .seconds(1.5))
            let cancel = try Self.shipboard(["release", "cancel", key, "--reason", "watched enough"], environment: user(.releaseManager))
            #expect(cancel.status == 0, "\(cancel.err)")
            let lines = String(decoding: watched.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            watcher.waitUntilExit()
            // Piped, each line is cut to 80 columns.
            #expect(lines.contains("doing: ci-rel") && lines.contains("finished: cancelled"), "\(lines)")
            let cancelled = try await stack.call("GET", "/api/v1/releases/\(key)/work-plan", as: .viewer)
            let states = Set((cancelled.json["tasks"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String })
            #expect(states == ["done", "skipped", "cancelled"], "a cancelled release's open tasks are cancelled: \(states)")

            let json = try Self.shipboard(["plan", "show", key, "--output", "json"], environment: user(.viewer))
            let plan = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
            #expect((plan?["tasks"] as? [[String: Any]])?.count == 17)
        }
    }

    @Test("freeze add and list, a schedule in the blackout refused (exit 5) then overridden, release collisions and the calendar")
    func freezesByCommandLine() async throws {
        try await GatewayStack.with { stack in
            let home = FileManager.default.temporaryDirectory.appendingPathComponent("shipboard-cli-freeze-\(stack.suffix)")
            defer { try? FileManager.default.removeItem(at: home) }
            func user(_ role: Role) -> [String: String] {
                ["HOME": home.path, "SHIPBOARD_URL": stack.base.absoluteString, "SHIPBOARD_TOKEN": stack.tokens[role]!]
            }
            // Far in the future, so releases of tests running beside this one never meet it.
            let name = "CLI freeze \(stack.suffix)"
            let add = try Self.shipboard(["freeze", "add", "--name", name, "--weekdays", "saturday", "--at", "22:00", "--minutes", "240",
                                          "--zone", "Europe/Berlin", "--from", "2032-01-01", "--until", "2032-12-31", "--output", "json"],
                                         environment: user(.admin))
            let id = try #require((try JSONSerialization.jsonObject(with: Data(add.out.utf8)) as? [String: Any])?["id"] as? String, "\(add.err)")
            defer { _ = try? Self.shipboard(["freeze", "remove", id], environment: user(.admin)) }
            #expect(try Self.shipboard(["freeze", "add", "--name", "x", "--zone", "UTC", "--weekdays", "caturday", "--at", "22:00", "--minutes", "5"],
                                       environment: user(.admin)).status == 2)
            let list = try Self.shipboard(["freeze", "list"], environment: user(.viewer))
            // Other tests' freezes share the table, and a long one narrows the WHEN column ("+24…"):
            // the table shows the row, the JSON its whole schedule.
            #expect(list.status == 0 && list.out.contains("CLI freeze") && list.out.contains("sat 22:00"), "\(list.out) \(list.err)")
            let listed = try Self.shipboard(["freeze", "list", "--output", "json"], environment: user(.viewer))
            let windows = try JSONSerialization.jsonObject(with: Data(listed.out.utf8)) as? [[String: Any]] ?? []
            let ours = try #require(windows.first { $0["name"] as? String == name }, "\(listed.out)")
            #expect("\(ours["schedule"] ?? "")".contains("240"), "\(ours)")

            // Saturday 2032-03-06 22:30 in Berlin (CET) is 21:30Z.
            let schedule = ["--start", "2032-03-06T21:30:00Z", "--end", "2032-03-06T22:00:00Z"]
            let refused = try Self.shipboard(["release", "create", "--title", "Saturday night"] + schedule, environment: user(.releaseManager))
            #expect(refused.status == 5 && refused.err.contains(name), "\(refused.err)")
            let create = try Self.shipboard(["release", "create", "--title", "Saturday night", "--override-reason", "vendor window",
                                             "--output", "json"] + schedule, environment: user(.releaseManager))
            let key = try #require((try JSONSerialization.jsonObject(with: Data(create.out.utf8)) as? [String: Any])?["releaseKey"] as? String,
                                   "\(create.err)")
            let collisions = try Self.shipboard(["release", "collisions", key], environment: user(.viewer))
            #expect(collisions.status == 0 && collisions.out.contains(name) && collisions.out.contains("vendor window"),
                    "\(collisions.out) \(collisions.err)")
            #expect(try Self.shipboard(["release", "override", key, "--reason", "again"], environment: user(.tester)).status == 3)
            let calendar = try Self.shipboard(["calendar"], environment: user(.viewer))
            #expect(calendar.status == 0 && calendar.out.hasPrefix("BEGIN:VCALENDAR") && calendar.out.contains("RRULE:FREQ=WEEKLY"),
                    "\(calendar.err)")
            let subscribe = try Self.shipboard(["calendar", "--subscribe"], environment: user(.viewer))
            #expect(subscribe.status == 0 && subscribe.out.hasPrefix(stack.base.absoluteString.trimmingCharacters(in: ["/"])
                + "/api/v1/calendar/feeds/sbt_"), "\(subscribe.out) \(subscribe.err)")
            #expect(try Self.shipboard(["freeze", "remove", id], environment: user(.admin)).status == 0)
            #expect(try Self.shipboard(["freeze", "remove", id], environment: user(.admin)).status == 4)
        }
    }
}
