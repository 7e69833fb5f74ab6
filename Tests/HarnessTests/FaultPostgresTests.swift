import Foundation
import Postgres
import ShipboardTestSupport
import Testing

/// Each control verb of the fault PostgreSQL instance, tried once, as a client sees it.
/// Holds the instance's lock: other fault tests must not restart it meanwhile.
@Suite("Fault PostgreSQL instance", .serialized)
struct FaultPostgresTests {
    @Test("stop refuses connections at once (unavailable); start serves them again")
    func stopAndStart() async throws {
        try await FaultPostgres.exclusively {
            try await expectServes()
            try await FaultPostgres.stop()
            #expect(try await FaultPostgres.isRunning() == false)
            let started = ContinuousClock.now
            let error = await #expect(throws: PostgresError.self) { try await connect() }
            #expect(error?.connectionFailure == .refused)
            if let error { #expect(PostgresFailureKind(classifying: error) == .unavailable) }
            #expect(ContinuousClock.now - started < .seconds(1), "refused, not timed out")
            try await FaultPostgres.start()
            try await expectServes()
        }
    }

    @Test("kill drops open connections; after start, committed rows are there (crash recovery)")
    func killAndRecover() async throws {
        try await FaultPostgres.exclusively {
            let schema = "h_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
            do {
                let connection = try await connect()
                try await connection.query("CREATE SCHEMA \(identifier: schema)")
                try await connection.query("CREATE TABLE \(identifier: schema).kept (value int)")
                try await connection.query("INSERT INTO \(identifier: schema).kept VALUES (42)")

                try await FaultPostgres.kill()
                #expect(try await FaultPostgres.isRunning() == false)
                await #expect(throws: (any Error).self) { try await connection.query("SELECT 1") }
                await connection.close()

                try await FaultPostgres.start()
                let again = try await connect()
                let kept = try await again.query("SELECT value FROM \(identifier: schema).kept").map { try $0.decode(Int32.self) }
                #expect(kept == [42])
                await again.close()
            } catch {
                try? await FaultPostgres.start()
                try? await dropSchema(schema)
                throw error
            }
            try await dropSchema(schema)
        }
    }

    @Test("pause freezes open connections and new ones time out; resume lets the waiting query finish")
    func pauseAndResume() async throws {
        try await FaultPostgres.exclusively {
            let connection = try await connect()
            try await FaultPostgres.pause()
            let query = Task { try await connection.query("SELECT 7").map { try $0.decode(Int32.self) } }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await FaultPostgres.isRunning(), "a paused server still runs")
            // libpq's shortest connect timeout is 2 s: the attempt hangs, it is not refused.
            let started = ContinuousClock.now
            await #expect(throws: PostgresError.self) { try await connect(timeout: 2) }
            #expect(ContinuousClock.now - started >= .milliseconds(1_500))

            try await FaultPostgres.resume()
            #expect(try await query.value == [7])
            await connection.close()
            try await expectServes()
        }
    }

    @Test("withOutage and exclusively bring the server back when the test body throws")
    func restoresAfterFailure() async throws {
        struct Planned: Error {}
        await #expect(throws: Planned.self) {
            try await FaultPostgres.exclusively {
                try await FaultPostgres.withOutage(.pause) { throw Planned() }
            }
        }
        try await expectServes()
        await #expect(throws: Planned.self) {
            try await FaultPostgres.exclusively {
                try await FaultPostgres.stop()
                throw Planned()
            }
        }
        try await expectServes()
    }

    private func connect(timeout: Int = 5) async throws -> PostgresConnection {
        var configuration = try FaultPostgres.configuration()
        configuration.connectTimeout = timeout
        configuration.applicationName = "shipboard-harness-tests"
        return try await PostgresConnection.connect(configuration: configuration)
    }

    private func dropSchema(_ schema: String) async throws {
        let connection = try await connect()
        try await connection.query("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
        await connection.close()
    }

    private func expectServes() async throws {
        let connection = try await connect()
        let value = try await connection.query("SELECT 1").map { try $0.decode(Int32.self) }
        #expect(value == [1])
        await connection.close()
    }
}
