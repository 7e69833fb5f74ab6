import AMQP
import Contracts
import Foundation
import Glibc
import Messaging
import PlanningCore
import Postgres
import ShipboardTestSupport
import ServiceKit
import Testing

/// shipboard-planning as a separate process, on the fault broker (so no other test's
/// consumer of `planning.#` competes for its commands), connected as the service role.
@Suite("shipboard-planning as a process")
struct PlanningServiceProcessTests {
    static func binary() throws -> URL {
        try ProductBinary.locate("shipboard-planning")
    }

    /// A complete matrix with every cell `low` but medium × medium.
    static func matrixJSON(mediumMedium: String) -> String {
        var table: [String: [String: String]] = [:]
        for impact in Impact.allCases {
            for urgency in Urgency.allCases { table[impact.rawValue, default: [:]][urgency.rawValue] = "low" }
        }
        table["medium"]?["medium"] = mediumMedium
        return String(decoding: try! JSONEncoder().encode(table), as: UTF8.self)
    }

    /// The service's environment as services.sh gives it: it runs as the role that owns
    /// nothing, never sees an owner's URL (the test applied the migrations before, as the
    /// owner), on the fault broker, with the tests' audit keys and `priorityMatrix`.
    static func environment(priorityMatrix: String) throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for owner in ["SHIPBOARD_MIGRATION_DATABASE_URL", "SHIPBOARD_TEST_DATABASE_URL", "SHIPBOARD_TEST_DATABASE_ADMIN_URL",
                      "SHIPBOARD_BENCH_DATABASE_URL", "SHIPBOARD_TEST_FAULT_DATABASE_URL", "SHIPBOARD_TEST_FAULT_DATABASE_ADMIN_URL"] {
            environment[owner] = nil
        }
        environment[AuditKeyring.variable] = TestAuditKeys.text
        environment["SHIPBOARD_DATABASE_URL"] = try TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL")
        environment["SHIPBOARD_AMQP_URL"] = try TestSettings.value("SHIPBOARD_TEST_FAULT_AMQP_URL")
        environment["SHIPBOARD_MIGRATIONS_DIR"] = try TestSettings.value("SHIPBOARD_MIGRATIONS_DIR")
        environment["SHIPBOARD_HTTP_PORT"] = "0"
        environment["SHIPBOARD_PRIORITY_MATRIX"] = priorityMatrix
        return environment
    }

    /// Starts the service with `environment`, expecting it to stop at start-up: its exit
    /// status and what it wrote to stderr.
    static func startupFailure(_ environment: [String: String]) throws -> (status: Int32, errors: String) {
        let (status, _, errors) = try runToExit(environment, arguments: [])
        return (status, errors)
    }

    /// Runs the service with `arguments` until it exits: status, stdout, stderr.
    static func runToExit(_ environment: [String: String], arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.environment = environment
        let errors = Pipe()
        let output = Pipe()
        process.standardError = errors
        process.standardOutput = output
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, printed, text)
    }

    @Test("--help lists every variable without reading any; --version prints the version; anything else is a usage error")
    func commandLine() throws {
        // No settings at all: help and version must not need them.
        let (helpStatus, help, _) = try Self.runToExit([:], arguments: ["--help"])
        #expect(helpStatus == 0)
        for variable in ["SHIPBOARD_DATABASE_URL", "SHIPBOARD_AMQP_URL", "SHIPBOARD_AUDIT_KEYS", "SHIPBOARD_PRIORITY_MATRIX"] {
            #expect(help.contains(variable), "\(variable) is documented")
        }
        let (versionStatus, version, _) = try Self.runToExit([:], arguments: ["--version"])
        #expect(versionStatus == 0 && version == "shipboard-planning \(ShipboardVersion.current)\n")
        let (usageStatus, _, usage) = try Self.runToExit([:], arguments: ["--bogus"])
        #expect(usageStatus == 2 && usage.contains("unknown argument '--bogus'"))
    }

    @Test("an incomplete priority matrix stops the service at start-up, naming the variable and the missing cells")
    func badMatrixRefused() async throws {
        let (status, text) = try Self.startupFailure(try Self.environment(priorityMatrix: #"{"high":{"high":"critical"}}"#))
        #expect(status == 2)
        #expect(text.contains("SHIPBOARD_PRIORITY_MATRIX") && text.contains("medium/low"))
        #expect(!text.contains(try TestSettings.value("SHIPBOARD_TEST_DATABASE_SERVICE_URL")), "no secret in the error")
    }

    @Test("without audit keys, or with a malformed one, the service refuses to start, naming the variable and never the key")
    func auditKeysRequired() async throws {
        let secretHex = String(repeating: "ab", count: 20)  // 20 bytes: too short to be a key
        for keys in [nil, "k1:\(secretHex)", "K 1:\(AuditKeyring.randomHex())"] {
            var environment = try Self.environment(priorityMatrix: Self.matrixJSON(mediumMedium: "high"))
            environment[AuditKeyring.variable] = keys
            let (status, text) = try Self.startupFailure(environment)
            #expect(status == 2, "\(keys ?? "unset"): \(text)")
            #expect(text.contains(AuditKeyring.variable))
            #expect(!text.contains(secretHex) && !text.contains(TestAuditKeys.text), "no key material in the error")
        }
    }

    /// The fault node's test vhost may hold the service's queues as an older version declared
    /// them (delay queues, no dead-letter strategy): the service would be refused its
    /// re-declaration (README, Topology migration). The service here starts from none.
    static func removeOlderTopology() async throws {
        let connection = try await AMQPConnection.connect(AMQPConfiguration(url: TestSettings.value("SHIPBOARD_TEST_FAULT_AMQP_URL")))
        for queue in MessagingTopology.shipboard.queues {
            try? await connection.deleteQueue(queue.name)
            for level in 1...3 { try? await connection.deleteQueue("\(queue.name).retry.\(level)") }
        }
        await connection.close()
    }

    @Test("handles commands over request/reply, replies with typed errors, and stops cleanly on SIGTERM")
    func serviceProcess() async throws {
        try await FaultBroker.exclusively {
            try await Self.removeOlderTopology()
            // Migrations run before the service starts, as the owner (services.sh: shipboard-migrate).
            try await MigrationGate.shared.ensureMigrated(try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL")))
            let process = Process()
            process.executableURL = try Self.binary()
            // A matrix of its own: medium × medium is critical here (P3 in the standard one).
            process.environment = try Self.environment(priorityMatrix: Self.matrixJSON(mediumMedium: "critical"))
            process.standardOutput = FileHandle.nullDevice
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("shipboard-planning-test.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

            let client = AMQPClient(configuration: try AMQPConfiguration(url: TestSettings.value("SHIPBOARD_TEST_FAULT_AMQP_URL")))
            let clientTask = Task { await client.run() }
            defer { clientTask.cancel() }
            let requests = RequestClient(amqp: client)

            // The same envelope on every try: if an early try was queued, the retry gets its stored reply.
            let create = Envelope(CreateRelease(title: "Service process release", requester: "alice", coordinator: "carol"),
                                  correlationId: "planning-process-test", actor: "alice")
            var created: ReleaseSummary?
            let deadline = ContinuousClock.now + .seconds(60)
            while created == nil && ContinuousClock.now < deadline {
                do {
                    created = try await requests.send(create, timeout: .seconds(3))
                } catch {
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            let release = try #require(created, "the service never answered")
            #expect(release.status == .draft)
            let owner = PostgresPool(configuration: try PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL")), maxConnections: 1)
            let priority = try await owner.query("SELECT priority FROM planning.releases WHERE key = \(release.releaseKey)")
                .single().decode(at: 0, as: String.self)
            await owner.close()
            #expect(priority == "critical", "the configured matrix decides the priority")
            // The release's gates need an eligible member (a second run finds dave there already).
            do {
                _ = try await requests.send(Envelope(AddApprover(group: "release-approvers", member: "dave"), correlationId: "config", actor: "admin"))
            } catch let refusal as CommandError where refusal.rule == "approvers.unique" {}
            let submitted = try await requests.send(
                Envelope(SubmitRelease(releaseKey: release.releaseKey), correlationId: release.releaseKey, actor: "alice"))
            #expect(submitted.status == .pendingApproval)
            do {
                _ = try await requests.send(
                    Envelope(ApproveRelease(releaseKey: release.releaseKey, expectedPhase: .initiate), correlationId: release.releaseKey, actor: "carol"))
                Issue.record("the coordinator approved")
            } catch {
                #expect((error as? CommandError)?.kind == .forbidden)
            }
            await requests.close()

            kill(process.processIdentifier, SIGTERM)
            let stopDeadline = ContinuousClock.now + .seconds(30)
            while process.isRunning && ContinuousClock.now < stopDeadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!process.isRunning)
            #expect(process.terminationStatus == 0)
        }
    }
}
