import Foundation
import Postgres
import Testing

@Suite("Connection pool", .timeLimit(.minutes(1)))
struct PoolTests {
    /// Kills a backend from a separate superuser connection and waits until it is gone.
    static func terminate(_ pid: Int32) async throws {
        let admin = try await PostgresConnection.connect(configuration: TestDatabase.configuration(admin: true))
        let killed = try await admin.query("SELECT pg_terminate_backend(\(pid))").single().decode(Bool.self)
        #expect(killed)
        let gone = try await eventually {
            try await admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid)").single().decode(Int.self) == 0
        }
        #expect(gone, "backend \(pid) did not exit")
        await admin.close()
    }

    @Test func anIdleConnectionKilledByTheServerIsReplaced() async throws {
        let pool = PostgresPool(configuration: try TestDatabase.configuration(), maxConnections: 1)
        var pid = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self)
        #expect(await pool.statistics == PostgresPoolStatistics(open: 1, idle: 1, leased: 0, waiting: 0))
        // Several rounds: the FATAL message and the socket's end arrive at different times.
        for _ in 0..<5 {
            try await Self.terminate(pid)
            let next = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self)
            #expect(next != pid)
            #expect(await pool.statistics.open == 1)
            pid = next
        }
        await pool.close()
    }

    @Test func aConnectionLostDuringUseIsDiscarded() async throws {
        let pool = PostgresPool(configuration: try TestDatabase.configuration(), maxConnections: 1)
        let first = try await pool.withConnection { connection in
            let pid = await connection.backendPID
            try await Self.terminate(pid)
            do {
                try await connection.query("SELECT 1")
                Issue.record("the backend is gone")
            } catch let error as PostgresError {
                #expect(error.code == .connectionLost)
                #expect(error.isRetryable)
            }
            return pid
        }
        let second = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self)
        #expect(second != first)
        #expect(await pool.statistics.open == 1)
        await pool.close()
    }

    @Test func aConnectionLeftInATransactionIsNotReused() async throws {
        let pool = PostgresPool(configuration: try TestDatabase.configuration(), maxConnections: 1)
        let first = try await pool.withConnection { connection in
            try await connection.query("BEGIN")
            return await connection.backendPID
        }
        let second = try await pool.withConnection { connection in
            try await connection.query("SELECT 1")
            return await connection.backendPID
        }
        #expect(first != second)
        await pool.close()
    }

    /// Counts how many borrowers use each backend at once.
    actor LeaseTracker {
        var active: [Int32: Int] = [:]
        var maxPerBackend = 0
        var maxBackendsInUse = 0
        var seen: Set<Int32> = []

        func enter(_ pid: Int32) {
            active[pid, default: 0] += 1
            seen.insert(pid)
            maxPerBackend = max(maxPerBackend, active[pid, default: 0])
            maxBackendsInUse = max(maxBackendsInUse, active.values.filter { $0 > 0 }.count)
        }

        func leave(_ pid: Int32) {
            active[pid, default: 0] -= 1
        }
    }

    @Test func neverLendsOneConnectionToTwoTasks() async throws {
        // What is tested is who holds a connection, not how soon: a loaded machine (a full test
        // run) must not turn a slow acquire into a failure.
        let pool = PostgresPool(configuration: try TestDatabase.configuration(), maxConnections: 4, acquireTimeout: .seconds(120))
        let tracker = LeaseTracker()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<50 {
                group.addTask {
                    try await pool.withConnection { connection in
                        let pid = try await connection.query("SELECT pg_backend_pid()").single().decode(Int32.self)
                        #expect(pid == (await connection.backendPID))
                        await tracker.enter(pid)
                        try await connection.query("SELECT pg_sleep(\(Double(task % 5) / 1000))")
                        await tracker.leave(pid)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await tracker.maxPerBackend == 1)
        #expect(await tracker.maxBackendsInUse <= 4)
        #expect(await tracker.seen.count <= 4)
        let statistics = await pool.statistics
        #expect(statistics.leased == 0)
        #expect(statistics.waiting == 0)
        #expect(statistics.open <= 4)
        await pool.close()
    }

    @Test func waitersTimeOutWhenEveryConnectionIsBusy() async throws {
        let pool = PostgresPool(
            configuration: try TestDatabase.configuration(), maxConnections: 1, acquireTimeout: .milliseconds(300))
        // The only connection is held until the waiter has given up: it can only end by its
        // timeout, however slow the machine (no clock is read).
        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        async let holder: Void = pool.withConnection { connection in
            try await connection.query("SELECT 1")
            holding.yield()
            for await _ in released { break }
        }
        for await _ in held { break }
        do {
            try await pool.query("SELECT 1")
            Issue.record("the only connection is busy")
        } catch let error as PostgresPoolError {
            #expect(error.reason == .acquireTimeout)
        }
        release.yield()
        try await holder
        #expect(try await pool.query("SELECT \(5)").single().decode(Int.self) == 5)
        await pool.close()
        await #expect(throws: PostgresPoolError(reason: .closed)) { try await pool.query("SELECT 1") }
    }

    @Test func borrowersDoNotWaitForeverByDefault() throws {
        let pool = PostgresPool(configuration: try TestDatabase.configuration())
        #expect(pool.acquireTimeout == .seconds(10))
        #expect(PostgresPool.defaultAcquireTimeout == .seconds(10))
        let patient = PostgresPool(configuration: try TestDatabase.configuration(), acquireTimeout: nil)
        #expect(patient.acquireTimeout == nil)
    }

    @Test func waitersAreServedWhenAConnectionComesBack() async throws {
        let pool = PostgresPool(configuration: try TestDatabase.configuration(), maxConnections: 1)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for value in 0..<10 {
                group.addTask { try await pool.query("SELECT \(value)").single().decode(Int.self) }
            }
            var results: [Int] = []
            for try await value in group { results.append(value) }
            #expect(results.sorted() == Array(0..<10))
        }
        #expect(await pool.statistics.open == 1)
        await pool.close()
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let pool = PostgresPool(configuration: try TestDatabase.configuration(), maxConnections: 1)
        // Held until the waiter is cancelled and gone, so the waiter never gets it first.
        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        async let holder: Void = pool.withConnection { connection in
            try await connection.query("SELECT 1")
            holding.yield()
            for await _ in released { break }
        }
        for await _ in held { break }
        let waiter = Task { try await pool.query("SELECT 1") }
        #expect(try await eventually { await pool.statistics.waiting == 1 })
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await pool.statistics.waiting == 0)
        release.yield()
        try await holder
        #expect(try await pool.query("SELECT \(1)").single().decode(Int.self) == 1)
        await pool.close()
    }
}
