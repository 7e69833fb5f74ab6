import Testing

@testable import Postgres

@Suite("PostgresFailureKind: what a failure means for a consumer")
struct FailureKindTests {
    static func serverError(_ sqlState: String, severity: String = "ERROR") -> PostgresError {
        PostgresError(code: PostgresError.Code(sqlState: sqlState), sqlState: sqlState, message: "m", severity: severity)
    }

    static func inTransaction(_ error: any Error, step: PostgresTransactionError.Step = .statement(index: 1, label: nil)) -> PostgresTransactionError {
        PostgresTransactionError(step: step, underlying: error, serial: 1)
    }

    @Test(arguments: [
        ("08000", PostgresFailureKind.unavailable), ("08006", .unavailable), ("08P01", .unavailable),
        ("57P01", .unavailable), ("57P02", .unavailable), ("57P03", .unavailable), ("53300", .unavailable),
        ("40001", .conflict), ("40P01", .conflict),
        ("57014", .timeout), ("55P03", .timeout),
        ("23505", .permanent), ("42P01", .permanent), ("22P02", .permanent), ("53100", .permanent), ("XX000", .permanent),
    ])
    func serverStatesMap(sqlState: String, kind: PostgresFailureKind) {
        #expect(PostgresFailureKind(classifying: Self.serverError(sqlState)) == kind)
        #expect(PostgresFailureKind(classifying: Self.inTransaction(Self.serverError(sqlState))) == kind)
    }

    @Test func clientSideFailuresMap() {
        let cases: [(any Error, PostgresFailureKind)] = [
            (PostgresError(code: .connectionFailure, message: "refused", connectionFailure: .refused), .unavailable),
            (PostgresError(code: .connectionLost, message: "server closed the connection"), .unavailable),
            // A FATAL admin_shutdown arrives as connectionLost carrying its SQLSTATE.
            (PostgresError(code: .connectionLost, sqlState: "57P01", message: "terminating", severity: "FATAL"), .unavailable),
            (PostgresPoolError(reason: .acquireTimeout), .unavailable),
            (PostgresPoolError(reason: .closed), .unavailable),
            (PostgresError(code: .clientTimeout, message: "deadline"), .timeout),
            (PostgresError(code: .taskCancelled, message: "cancelled"), .timeout),
            (CancellationError(), .timeout),
            (PostgresEncodingError(.nulByteInSQL), .permanent),
            (PostgresError(code: .other(""), message: "no state"), .permanent),
            (SomeHandlerError(), .permanent),
        ]
        for (error, kind) in cases {
            #expect(PostgresFailureKind(classifying: error) == kind, "\(error)")
        }
    }

    @Test func transactionErrorsAreUnwrappedAtEveryStep() {
        let steps: [PostgresTransactionError.Step] = [.begin, .statement(index: 2, label: "x"), .body, .commit]
        for step in steps {
            let lost = PostgresError(code: .connectionLost, message: "lost")
            #expect(PostgresFailureKind(classifying: Self.inTransaction(lost, step: step)) == .unavailable)
        }
        // An inner transaction's error rethrown by an outer body is unwrapped twice.
        let nested = Self.inTransaction(Self.inTransaction(Self.serverError("40P01")), step: .body)
        #expect(PostgresFailureKind(classifying: nested) == .conflict)
        #expect(PostgresFailureKind(classifying: Self.inTransaction(SomeHandlerError(), step: .body)) == .permanent)
        #expect(PostgresFailureKind(classifying: Self.inTransaction(PostgresPoolError(reason: .closed), step: .begin)) == .unavailable)
    }

    @Test func realServerFailuresMap() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        try await connection.query("SET statement_timeout = '20ms'")
        await #expect {
            try await connection.query("SELECT pg_sleep(2)")
        } throws: { PostgresFailureKind(classifying: $0) == .timeout }
        await connection.close()

        var unreachable = try TestDatabase.configuration()
        unreachable.port = 1  // nothing listens there
        await #expect {
            _ = try await PostgresConnection.connect(configuration: unreachable)
        } throws: { PostgresFailureKind(classifying: $0) == .unavailable }
    }
}

private struct SomeHandlerError: Error {}
