import Foundation
import Postgres
import Testing

/// Nothing waits forever: server timeouts by default, a client deadline, task cancellation,
/// and a backend frozen with SIGSTOP.
@Suite("Statements end: timeouts, deadlines, cancellation, frozen backends", .timeLimit(.minutes(1)))
struct DeadlineTests {
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    }

    @Test func sessionsGetStatementAndLockTimeoutsByDefault() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        #expect(try await connection.query("SHOW statement_timeout").single().decode(String.self) == "30s")
        #expect(try await connection.query("SHOW lock_timeout").single().decode(String.self) == "10s")
        await connection.close()

        // The caller's own options come last and win.
        var configuration = try TestDatabase.configuration()
        configuration.options = "-c statement_timeout=7s"
        let overridden = try await PostgresConnection.connect(configuration: configuration)
        #expect(try await overridden.query("SHOW statement_timeout").single().decode(String.self) == "7s")
        await overridden.close()
    }

    @Test func theServerEndsLongStatementsAndLockWaits() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            var configuration = configuration
            configuration.statementTimeout = .milliseconds(200)
            configuration.lockTimeout = .milliseconds(50)  // fires before the statement timeout
            let holder = try await PostgresConnection.connect(configuration: configuration)
            let waiter = try await PostgresConnection.connect(configuration: configuration)
            try await holder.query("CREATE TABLE locked (id int)")
            await #expect {
                try await waiter.query("SELECT pg_sleep(3)")
            } throws: { error in
                (error as? PostgresError)?.sqlState == "57014" && PostgresFailureKind(classifying: error) == .timeout
            }
            try await holder.withTransaction { tx in
                try await tx.query("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")
                await #expect {
                    try await waiter.query("SELECT count(*) FROM locked")
                } throws: { error in
                    (error as? PostgresError)?.sqlState == "55P03" && PostgresFailureKind(classifying: error) == .timeout
                }
            }
            await holder.close()
            await waiter.close()
        }
    }

    @Test func theClientDeadlineCancelsAStatementAndKeepsTheConnection() async throws {
        var configuration = try TestDatabase.configuration()
        configuration.statementTimeout = .zero  // only the client deadline applies
        configuration.queryTimeout = .milliseconds(300)
        let connection = try await PostgresConnection.connect(configuration: configuration)
        let pid = await connection.backendPID
        let started = ContinuousClock.now
        do {
            try await connection.query("SELECT pg_sleep(30)")
            Issue.record("the statement outlived its deadline")
        } catch let error as PostgresError {
            #expect(error.code == .clientTimeout)
            #expect(PostgresFailureKind(classifying: error) == .timeout)
        }
        #expect(ContinuousClock.now - started < .seconds(15), "ended by its deadline, not by the 30 s statement")
        // The server confirmed the cancel: the same session goes on.
        #expect(!(await connection.isClosed))
        #expect(try await connection.query("SELECT pg_backend_pid()").single().decode(Int32.self) == pid)

        // In a transaction: the step is named, the transaction rolled back, the pool goes on.
        let pool = PostgresPool(configuration: configuration, maxConnections: 1)
        await #expect {
            try await pool.withTransaction { tx in
                try await tx.query("SELECT 1", label: "quick")
                try await tx.query("SELECT pg_sleep(30)", label: "slow")
            }
        } throws: { error in
            guard let error = error as? PostgresTransactionError else { return false }
            return error.step == .statement(index: 2, label: "slow") && error.postgresError?.code == .clientTimeout
        }
        #expect(try await pool.query("SELECT \(7)").single().decode(Int.self) == 7)
        await pool.close()
        await connection.close()
    }

    @Test func aCancelledTaskCancelsItsStatement() async throws {
        var configuration = try TestDatabase.configuration()
        configuration.applicationName = Self.uniqueName("shipboard-cancel")
        let connection = try await PostgresConnection.connect(configuration: configuration)
        let pid = await connection.backendPID
        let started = ContinuousClock.now
        let running = Task { try await connection.query("SELECT pg_sleep(30)") }
        try await Task.sleep(for: .milliseconds(300))
        running.cancel()
        do {
            _ = try await running.value
            Issue.record("the statement ignored the task's cancellation")
        } catch let error as PostgresError {
            #expect(error.code == .taskCancelled)
        }
        #expect(ContinuousClock.now - started < .seconds(15), "ended by the cancellation, not by the 30 s statement")
        #expect(try await connection.query("SELECT pg_backend_pid()").single().decode(Int32.self) == pid)
        await connection.close()
    }

    @Test func aFrozenBackendTimesOutWithinTheDeadlineAndThePoolReplacesIt() async throws {
        var configuration = try TestDatabase.configuration()
        configuration.applicationName = Self.uniqueName("shipboard-frozen")
        configuration.queryTimeout = .seconds(1)
        configuration.cancelGracePeriod = .milliseconds(500)
        let pool = PostgresPool(configuration: configuration, maxConnections: 1)
        let first = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self)
        let pid = try await FrozenBackend.pid(of: try #require(configuration.applicationName))
        try #require(pid == first)

        try await FrozenBackend.whileFrozen(pid) {
            let started = ContinuousClock.now
            do {
                try await pool.query("SELECT \(1)")
                Issue.record("a frozen backend answered")
            } catch let error as PostgresError {
                #expect(error.code == .clientTimeout)
                #expect(PostgresFailureKind(classifying: error) == .timeout)
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .seconds(1))
            #expect(elapsed < .seconds(1) + .milliseconds(500) + .seconds(2), "took \(elapsed)")

            // Still frozen, yet the pool serves the next query on a fresh connection.
            let next = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self)
            #expect(next != pid)
            #expect(await pool.statistics.open == 1)
        }
        // Continued, the old backend finds its socket closed and exits: it was never reused.
        #expect(try await eventually { try await !FrozenBackend.exists(pid) })
        #expect(try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self) != pid)
        await pool.close()
    }
}
