import Foundation
import Postgres
import Testing

@Suite("Transactions commit or roll back and say which step failed")
struct TransactionTests {
    struct BodyFailure: Error, Equatable {}

    static func setUp(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
        let connection = try await PostgresConnection.connect(configuration: configuration)
        try await connection.query("CREATE TABLE releases (id int PRIMARY KEY, name text NOT NULL)")
        return connection
    }

    static func count(_ connection: PostgresConnection) async throws -> Int {
        try await connection.query("SELECT count(*) FROM releases").single().decode(Int.self)
    }

    @Test func commitsAndReturnsTheBodysValue() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            let name = try await connection.withTransaction { tx in
                try await tx.query("INSERT INTO releases VALUES (\(1), \("R1"))", label: "insert release")
                return try await tx.query("SELECT name FROM releases").single().decode(String.self)
            }
            #expect(name == "R1")
            #expect(try await Self.count(connection) == 1)
            await connection.close()
        }
    }

    @Test func aDatabaseErrorRollsBackAndNamesTheStatement() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            do {
                try await connection.withTransaction { tx in
                    try await tx.query("INSERT INTO releases VALUES (\(1), \("R1"))", label: "insert release")
                    try await tx.query("INSERT INTO releases VALUES (\(1), \("R1 again"))", label: "insert duplicate")
                }
                Issue.record("expected a unique violation")
            } catch let error as PostgresTransactionError {
                #expect(error.step == .statement(index: 2, label: "insert duplicate"))
                #expect(error.postgresError?.code == .uniqueViolation)
                #expect(error.description.contains("statement 2 (insert duplicate)"))
                #expect(!error.description.contains("R1 again"))
            }
            #expect(try await Self.count(connection) == 0)
            // The connection is idle and usable again.
            #expect(try await connection.query("SELECT \(1)").single().decode(Int.self) == 1)
            await connection.close()
        }
    }

    @Test func aSwiftErrorRollsBackAsTheBodyStep() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            do {
                try await connection.withTransaction { tx in
                    try await tx.query("INSERT INTO releases VALUES (\(1), \("R1"))")
                    throw BodyFailure()
                }
                Issue.record("expected the body's error")
            } catch let error as PostgresTransactionError {
                #expect(error.step == .body)
                #expect(error.underlying is BodyFailure)
                #expect(error.postgresError == nil)
            }
            #expect(try await Self.count(connection) == 0)
            await connection.close()
        }
    }

    @Test func aSwallowedStatementErrorDoesNotCommit() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            do {
                try await connection.withTransaction { tx in
                    try await tx.query("INSERT INTO releases VALUES (\(1), \("R1"))")
                    _ = try? await tx.query("SELECT 1/0")
                }
                Issue.record("an aborted transaction must not be reported as committed")
            } catch let error as PostgresTransactionError {
                #expect(error.step == .commit)
                #expect(error.postgresError?.sqlState == "25P02")
            }
            #expect(try await Self.count(connection) == 0)
            await connection.close()
        }
    }

    @Test func beginFailsOnAClosedConnection() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        await connection.close()
        do {
            try await connection.withTransaction { _ in }
            Issue.record("a closed connection cannot begin")
        } catch {
            #expect(error.step == .begin)
            #expect(error.postgresError?.code == .connectionLost)
        }
    }

    @Test func serializationFailuresAreRetried() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await Self.setUp(configuration)
            let pool = PostgresPool(configuration: configuration, maxConnections: 2)
            for retrying in [TransactionRunner.connection(connection), .pool(pool)] {
                var attempts = 0
                try await retrying.run(retries: 3) { tx in
                    attempts += 1
                    try await tx.query("DELETE FROM releases")
                    try await tx.query("INSERT INTO releases VALUES (\(attempts), \("try"))")
                    if attempts < 3 {
                        try await tx.executeUnsafeScript(
                            "DO $$ BEGIN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = 'serialization_failure'; END $$")
                    }
                }
                #expect(attempts == 3)
                #expect(try await connection.query("SELECT id FROM releases").single().decode(Int.self) == 3)
            }
            var attempts = 0
            do {
                try await connection.withTransaction(.serializable, retries: 1) { tx in
                    attempts += 1
                    try await tx.executeUnsafeScript(
                        "DO $$ BEGIN RAISE EXCEPTION 'always' USING ERRCODE = 'serialization_failure'; END $$")
                }
                Issue.record("retries are bounded")
            } catch let error as PostgresTransactionError {
                #expect(error.postgresError?.code == .serializationFailure)
                #expect(error.isRetryable)
            }
            #expect(attempts == 2)
            await pool.close()
            await connection.close()
        }
    }

    @Test func realSerializableConflictsSucceedWithRetries() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let setup = try await Self.setUp(configuration)
            try await setup.query("CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL)")
            try await setup.query("INSERT INTO counter VALUES (1, 0)")
            let pool = PostgresPool(configuration: configuration, maxConnections: 4)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<5 {
                            try await pool.withTransaction(.serializable, retries: 50) { tx in
                                let value = try await tx.query("SELECT value FROM counter WHERE id = 1").single().decode(Int.self)
                                try await tx.query("UPDATE counter SET value = \(value + 1) WHERE id = 1")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await setup.query("SELECT value FROM counter").single().decode(Int.self) == 40)
            await pool.close()
            await setup.close()
        }
    }
}

/// Runs the same retry test against a connection and a pool.
enum TransactionRunner {
    case connection(PostgresConnection)
    case pool(PostgresPool)

    func run(
        isolation: isolated (any Actor)? = #isolation,
        retries: Int,
        _ body: (PostgresTransaction) async throws -> Void
    ) async throws {
        switch self {
        case .connection(let connection): try await connection.withTransaction(isolation: isolation, retries: retries, body)
        case .pool(let pool): try await pool.withTransaction(isolation: isolation, retries: retries, body)
        }
    }
}
