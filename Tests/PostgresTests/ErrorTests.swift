import Foundation
import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Errors are typed and never leak values or passwords")
struct ErrorTests {
    @Test func uniqueViolationNamesTheConstraintButNotTheValue() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await PostgresConnection.connect(configuration: configuration)
            try await connection.query("CREATE TABLE users (id int PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE)")
            let email = "secret-duplicate@example.com"
            try await connection.query("INSERT INTO users VALUES (\(1), \(email))")
            do {
                try await connection.query("INSERT INTO users VALUES (\(2), \(email))")
                Issue.record("expected a unique violation")
            } catch let error as PostgresError {
                #expect(error.code == .uniqueViolation)
                #expect(error.sqlState == "23505")
                #expect(error.constraintName == "users_email_key")
                #expect(error.tableName == "users")
                #expect(!error.isRetryable)
                #expect(!error.description.contains("secret-duplicate"))
                #expect(!error.description.contains("INSERT"))
                #expect(error.description.contains("users_email_key"))
            }
            // The connection is still usable after a statement error.
            #expect(try await connection.query("SELECT count(*) FROM users").single().decode(Int.self) == 1)
            await connection.close()
        }
    }

    @Test func foreignKeyNotNullAndCheckViolationsMap() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await PostgresConnection.connect(configuration: configuration)
            try await connection.query("CREATE TABLE releases (id int PRIMARY KEY)")
            try await connection.query(
                """
                CREATE TABLE tasks (
                    id int PRIMARY KEY,
                    release_id int NOT NULL CONSTRAINT tasks_release_fk REFERENCES releases (id),
                    position int CONSTRAINT tasks_position_check CHECK (position >= 0)
                )
                """)
            let cases: [(PostgresQuery, PostgresError.Code, String?)] = [
                ("INSERT INTO tasks VALUES (\(1), \(4242), \(0))", .foreignKeyViolation, "tasks_release_fk"),
                ("INSERT INTO tasks (id, position) VALUES (\(1), \(0))", .notNullViolation, nil),
            ]
            for (query, code, constraint) in cases {
                do {
                    try await connection.query(query)
                    Issue.record("expected \(code)")
                } catch let error as PostgresError {
                    #expect(error.code == code)
                    if let constraint { #expect(error.constraintName == constraint) }
                    #expect(!error.description.contains("4242"))
                }
            }
            try await connection.query("INSERT INTO releases VALUES (\(1))")
            do {
                try await connection.query("INSERT INTO tasks VALUES (\(1), \(1), \(-5))")
                Issue.record("expected a check violation")
            } catch let error as PostgresError {
                #expect(error.code == .checkViolation)
                #expect(error.constraintName == "tasks_position_check")
            }
            do {
                try await connection.query("SELECT * FROM no_such_table")
                Issue.record("expected undefined table")
            } catch let error as PostgresError {
                #expect(error.code == .undefinedTable)
            }
            await connection.close()
        }
    }

    @Test func boundValuesQuotedInServerMessagesAreRedacted() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        do {
            try await connection.query("SELECT \("abc-secret-value")::int")
            Issue.record("expected invalid input syntax")
        } catch let error as PostgresError {
            #expect(error.sqlState == "22P02")
            #expect(!error.description.contains("abc-secret-value"))
            #expect(error.description.contains("<redacted>"))
            #expect(error.description.contains("invalid input syntax for type integer"))
        }
        await connection.close()
    }

    @Test func connectionRefusedIsQuickAndClear() async throws {
        var configuration = try TestDatabase.configuration()
        configuration.port = try Self.unusedPort()
        configuration.password = "refused-Pa55word"
        configuration.connectTimeout = 30
        let started = ContinuousClock.now
        do {
            _ = try await PostgresConnection.connect(configuration: configuration)
            Issue.record("nothing listens on port \(configuration.port)")
        } catch {
            #expect(error.code == .connectionFailure)
            #expect(error.connectionFailure == .refused)
            #expect(error.description.contains("refused"))
            #expect(!error.description.contains("refused-Pa55word"))
        }
        // Refused, not waited out: the test connects with a 30 s connect timeout, so even a
        // loaded machine answers a refusal well within it.
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func connectTimeoutIsHonoured() async throws {
        // A loopback socket that accepts TCP (the kernel completes the handshake) but never
        // answers the startup packet: only the connect timeout can end the attempt.
        let (socket, port) = try Self.silentListener()
        defer { close(socket) }
        var configuration = try TestDatabase.configuration()
        configuration.port = port
        configuration.connectTimeout = 2
        let started = ContinuousClock.now
        do {
            _ = try await PostgresConnection.connect(configuration: configuration)
            Issue.record("a silent server must not accept the connection")
        } catch {
            #expect(error.code == .connectionFailure)
            #expect(error.connectionFailure == .timedOut)
        }
        // Ended by the timeout (without it the attempt would wait forever), not before it.
        // The upper bound is loose: a loaded CI machine was seen taking 8 s to run a 2 s
        // timeout's wake-up on a busy blocking pool.
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(1500))
        #expect(elapsed < .seconds(30))
    }

    @Test func wrongPasswordIsAnAuthenticationFailureWithoutThePassword() async throws {
        var configuration = try TestDatabase.configuration()
        configuration.password = "Wr0ng-Pa55word-xyzzy"
        do {
            _ = try await PostgresConnection.connect(configuration: configuration)
            Issue.record("the wrong password must be refused (pg_hba.conf uses scram-sha-256 on TCP)")
        } catch {
            #expect(error.code == .connectionFailure)
            #expect(error.connectionFailure == .authenticationFailed)
            #expect(!error.description.contains("Wr0ng-Pa55word-xyzzy"))
            #expect(!error.message.contains("Wr0ng-Pa55word-xyzzy"))
            #expect(error.description.contains("password authentication failed"))
        }
    }

    // MARK: Sockets

    static func unusedPort() throws -> Int {
        let (socket, port) = try silentListener()
        close(socket)
        return port
    }

    /// A listening TCP socket on 127.0.0.1 that never accepts; returns it and its port.
    static func silentListener() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw TestSetupError(description: "bind/listen failed")
        }
        var actual = sockaddr_in()
        var actualLength = length
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        return (descriptor, Int(UInt16(bigEndian: actual.sin_port)))
    }
}
