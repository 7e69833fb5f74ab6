import Foundation
import Postgres
import Testing

/// `PostgresTransaction.enqueue`: writes whose rows nobody reads travel with the next
/// statement or the COMMIT in one pipeline, yet every rule of a statement still holds: order,
/// read-your-writes, errors naming the statement at fault, checks that stop the commit.
@Suite("Queued statements go out together and fail like statements")
struct QueuedStatementTests {
    struct NotOneRow: Error, Equatable {}

    static func setUp(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
        let connection = try await PostgresConnection.connect(configuration: configuration)
        try await connection.query("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)")
        return connection
    }

    static func names(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.query("SELECT name FROM items ORDER BY id").map { try $0.decode(String.self) }
    }

    static let exactlyOneRow: @Sendable (PostgresRows) throws -> Void = { rows in
        guard rows.affectedRows == 1 else { throw NotOneRow() }
    }

    @Test("queued writes run in order before the next read, which sees them")
    func readYourQueuedWrites() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            let seen = try await connection.withTransaction { tx in
                try await tx.enqueue("INSERT INTO items VALUES (\(1), \("first"))", label: "insert 1")
                try await tx.enqueue("UPDATE items SET name = name || \("+second") WHERE id = \(1)", label: "update 1")
                try await tx.enqueue("INSERT INTO items VALUES (\(2), \("third"))", label: "insert 2")
                return try await tx.query("SELECT name FROM items ORDER BY id").map { try $0.decode(String.self) }
            }
            #expect(seen == ["first+second", "third"])
            #expect(try await Self.names(connection) == ["first+second", "third"])
            await connection.close()
        }
    }

    @Test("a queued statement reaches the server only with the next statement")
    func queuedMeansNotYetSent() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            let observer = try await PostgresConnection.connect(configuration: configuration)
            func lockIsFree() async throws -> Bool {
                let free = try await observer.query("SELECT pg_try_advisory_lock(\(4242))").single().decode(Bool.self)
                if free { try await observer.query("SELECT pg_advisory_unlock(\(4242))") }
                return free
            }
            let (beforeSend, afterSend) = try await connection.withTransaction { tx in
                try await tx.enqueue("SELECT pg_advisory_xact_lock(\(4242))", label: "lock")
                let before = try await lockIsFree()
                try await tx.query("SELECT 1", label: "send")
                return (before, try await lockIsFree())
            }
            #expect(beforeSend, "the queued lock was taken before any statement followed it")
            #expect(!afterSend, "the next statement did not carry the queued lock")
            #expect(try await lockIsFree(), "the lock outlived its transaction")
            await observer.close()
            await connection.close()
        }
    }

    @Test("queued writes with nothing after them go out with the COMMIT and are committed")
    func queuedWritesCommit() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            try await connection.withTransaction { tx in
                try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                try await tx.enqueue("INSERT INTO items VALUES (\(2), \("b"))", label: "insert b")
            }
            #expect(try await Self.names(connection) == ["a", "b"])
            // A transaction that ran nothing commits nothing and leaves the connection idle.
            try await connection.withTransaction { _ in }
            #expect(try await connection.query("SELECT \(7)").single().decode(Int.self) == 7)
            await connection.close()
        }
    }

    @Test("a queued write that fails is named by its own index and label, with the next read or at the commit")
    func failuresNameTheQueuedStatement() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            // Reported with the next read.
            do {
                try await connection.withTransaction { tx in
                    try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                    try await tx.enqueue("INSERT INTO items VALUES (\(1), \("secret duplicate"))", label: "insert duplicate")
                    try await tx.enqueue("INSERT INTO items VALUES (\(3), \("c"))", label: "insert c")
                    _ = try await tx.query("SELECT count(*) FROM items", label: "count")
                    Issue.record("the read after a failed queued write returned")
                }
                Issue.record("expected a unique violation")
            } catch let error as PostgresTransactionError {
                #expect(error.step == .statement(index: 2, label: "insert duplicate"))
                #expect(error.postgresError?.code == .uniqueViolation)
                #expect(!error.description.contains("secret duplicate"))
            }
            // Reported at the commit, still as the statement.
            do {
                try await connection.withTransaction { tx in
                    try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                    try await tx.enqueue("INSERT INTO items VALUES (\(1), \("b"))", label: "insert b")
                }
                Issue.record("expected a unique violation at the commit")
            } catch let error as PostgresTransactionError {
                #expect(error.step == .statement(index: 2, label: "insert b"))
                #expect(error.postgresError?.code == .uniqueViolation)
            }
            #expect(try await Self.names(connection).isEmpty)
            #expect(try await connection.query("SELECT \(1)").single().decode(Int.self) == 1)
            await connection.close()
        }
    }

    @Test("a check that refuses its rows fails the transaction, also when the body swallows the error")
    func checksStopTheCommit() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            do {
                try await connection.withTransaction { tx in
                    try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                    try await tx.enqueue(
                        "UPDATE items SET name = \("z") WHERE id = \(99)", label: "update missing", check: Self.exactlyOneRow)
                }
                Issue.record("expected the check to fail the commit")
            } catch let error as PostgresTransactionError {
                #expect(error.step == .statement(index: 2, label: "update missing"))
                #expect(error.underlying as? NotOneRow == NotOneRow())
            }
            #expect(try await Self.names(connection).isEmpty)

            do {
                try await connection.withTransaction { tx in
                    try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                    try await tx.enqueue(
                        "UPDATE items SET name = \("z") WHERE id = \(99)", label: "update missing", check: Self.exactlyOneRow)
                    do { try await tx.query("SELECT 1", label: "read") } catch {}
                    try await tx.query("SELECT 2", label: "read on")
                }
                Issue.record("expected the swallowed check failure to stop the commit")
            } catch let error as PostgresTransactionError {
                #expect(error.underlying as? NotOneRow == NotOneRow())
            }
            #expect(try await Self.names(connection).isEmpty)

            // A check that passes lets the transaction commit.
            try await connection.withTransaction { tx in
                try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                try await tx.enqueue("UPDATE items SET name = \("b") WHERE id = \(1)", label: "update", check: Self.exactlyOneRow)
            }
            #expect(try await Self.names(connection) == ["b"])
            await connection.close()
        }
    }

    @Test("a queued check that fails comes before the error of a later statement in the same pipeline")
    func anEarlierCheckIsReportedFirst() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            try await connection.query("INSERT INTO items VALUES (\(1), \("taken"))")
            do {
                try await connection.withTransaction { tx in
                    try await tx.enqueue(
                        "UPDATE items SET name = \("z") WHERE id = \(99)", label: "update missing", check: Self.exactlyOneRow)
                    try await tx.query("INSERT INTO items VALUES (\(1), \("again"))", label: "insert duplicate")
                }
                Issue.record("expected the check to fail first")
            } catch let error as PostgresTransactionError {
                #expect(error.step == .statement(index: 1, label: "update missing"))
                #expect(error.underlying as? NotOneRow == NotOneRow())
            }
            #expect(try await Self.names(connection) == ["taken"])
            await connection.close()
        }
    }

    @Test("a batch runs after what is queued, in one round trip, and each read sees the statements before it")
    func batchesSeeWhatCameBefore() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            let rows = try await connection.withTransaction { tx in
                try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                return try await tx.query(batch: [
                    ("SELECT name FROM items WHERE id = \(1) FOR UPDATE", "lock a"),
                    ("INSERT INTO items VALUES (\(2), \("b")) RETURNING id", "insert b"),
                    ("SELECT count(*)::int8 FROM items", "count"),
                ])
            }
            #expect(rows.count == 3)
            #expect(try rows[0].single().decode(String.self) == "a")
            #expect(try rows[1].single().decode(Int.self) == 2)
            #expect(try rows[2].single().decode(Int.self) == 2)
            do {
                _ = try await connection.withTransaction { tx in
                    try await tx.query(batch: [("SELECT 1", "fine"), ("SELECT 1/0", "divide"), ("SELECT 2", "after")])
                }
                Issue.record("expected a division by zero")
            } catch let error as PostgresTransactionError {
                #expect(error.step == .statement(index: 2, label: "divide"))
            }
            await connection.close()
        }
    }

    @Test("a value that cannot be sent is refused when queued, at its own step")
    func encodingErrorsAtEnqueue() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            do {
                try await connection.withTransaction { tx in
                    try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                    try await tx.enqueue("INSERT INTO items VALUES (\(2), \("nul\u{0}inside"))", label: "insert nul")
                    Issue.record("enqueue accepted a NUL")
                }
            } catch let error as PostgresTransactionError {
                #expect(error.step == .statement(index: 2, label: "insert nul"))
                #expect(error.underlying is PostgresEncodingError)
            }
            #expect(try await Self.names(connection).isEmpty)
            await connection.close()
        }
    }

    @Test("BEGIN goes out with the first statement, at the isolation level asked for")
    func beginTravelsWithTheFirstStatement() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            let level = try await connection.withTransaction(.serializable) { tx in
                try await tx.query("SHOW transaction_isolation").single().decode(String.self)
            }
            #expect(level == "serializable")
            // One transaction: both statements see the same transaction start.
            let (first, second) = try await connection.withTransaction(.repeatableRead) { tx in
                let first = try await tx.query("SELECT now()::text").single().decode(String.self)
                try await Task.sleep(for: .milliseconds(20))
                let second = try await tx.query("SELECT now()::text").single().decode(String.self)
                return (first, second)
            }
            #expect(first == second)
            await connection.close()
        }
    }

    @Test("a text queued twice in one pipeline is prepared once, and the server timeout names the statement it stopped")
    func preparedOnceAndTimeouts() async throws {
        try await TestDatabase.withSchema { configuration, schema in
            var configuration = configuration
            configuration.statementTimeout = .milliseconds(200)
            let connection = try await Self.setUp(configuration)
            let prepared = try await connection.withTransaction { tx in
                for id in 1...3 {
                    try await tx.enqueue("INSERT INTO items VALUES (\(id), \("n\(id)"))", label: "insert \(id)")
                }
                return try await tx.query(
                    "SELECT count(*)::int8 FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO items%'"
                ).single().decode(Int.self)
            }
            #expect(prepared == 1)
            #expect(try await Self.names(connection) == ["n1", "n2", "n3"])
            do {
                try await connection.withTransaction { tx in
                    try await tx.enqueue("DELETE FROM items", label: "delete")
                    try await tx.enqueue("SELECT pg_sleep(\(5.0))", label: "slow")
                    try await tx.query("SELECT 1", label: "after")
                }
                Issue.record("expected the statement timeout")
            } catch let error as PostgresTransactionError {
                #expect(error.step == .statement(index: 2, label: "slow"))
                #expect(error.postgresError?.code == .queryCanceled)
            }
            #expect(try await Self.names(connection) == ["n1", "n2", "n3"], "the delete in the same transaction rolled back (\(schema))")
            await connection.close()
        }
    }

    @Test("a connection lost with writes queued: the transaction fails as lost, nothing of it lands, and the pool serves the next one")
    func connectionLostWithQueuedWrites() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let setup = try await Self.setUp(configuration)
            let pool = PostgresPool(configuration: configuration, maxConnections: 1)
            // Lost after the first statement (BEGIN went out with it): the queued writes never reach the server.
            do {
                try await pool.withTransaction { tx in
                    let pid = try await tx.query("SELECT pg_backend_pid()").single().decode(Int32.self)
                    try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                    try await tx.enqueue("INSERT INTO items VALUES (\(2), \("b"))", label: "insert b")
                    try await PoolTests.terminate(pid)
                }
                Issue.record("a transaction on a killed connection committed")
            } catch let error as PostgresTransactionError {
                #expect(error.postgresError?.code == .connectionLost, "\(error)")
                // COMMIT went out with the writes: whether it took effect is unknown, so no blind retry.
                #expect(error.step == .commit)
                #expect(!error.isRetryable)
            }
            #expect(try await Self.names(setup).isEmpty)
            // The same writes again (the message redelivered) on a fresh connection: applied once.
            try await pool.withTransaction { tx in
                try await tx.enqueue("INSERT INTO items VALUES (\(1), \("a"))", label: "insert a")
                try await tx.enqueue("INSERT INTO items VALUES (\(2), \("b"))", label: "insert b")
            }
            #expect(try await Self.names(setup) == ["a", "b"])
            await pool.close()
            await setup.close()
        }
    }
}
