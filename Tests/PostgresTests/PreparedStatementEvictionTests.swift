import Postgres
import Testing

@Suite("Evicted prepared statements are deallocated outside transactions")
struct PreparedStatementEvictionTests {
    /// Names of the session's prepared statements, read with the simple protocol (no cache entry).
    static func prepared(_ run: (String) async throws -> PostgresRows) async throws -> [String] {
        try await run("SELECT name FROM pg_prepared_statements ORDER BY name").map { try $0.decode(String.self) }
    }

    @Test func evictionInsideATransactionWaitsUntilItEnds() async throws {
        var configuration = try TestDatabase.configuration()
        configuration.preparedStatementCacheSize = 2
        let connection = try await PostgresConnection.connect(configuration: configuration)
        try await connection.withTransaction { tx in
            try await tx.query("SELECT \(1) AS a")
            try await tx.query("SELECT \(2) AS b")
            try await tx.query("SELECT \(3) AS c")  // evicts the first statement
            // Nothing ran inside the caller's transaction: the evicted statement is still there.
            let names = try await Self.prepared { try await tx.executeUnsafeScript($0) }
            #expect(names == ["shipboard_s1", "shipboard_s2", "shipboard_s3"])
        }
        #expect(try await Self.prepared { try await connection.executeUnsafeScript($0) } == ["shipboard_s2", "shipboard_s3"])
        // The evicted text is prepared again under a new name when it comes back.
        #expect(try await connection.query("SELECT \(1) AS a").single().decode(Int.self) == 1)
        #expect(try await connection.query("SELECT \(4) AS d").single().decode(Int.self) == 4)
        #expect(try await Self.prepared { try await connection.executeUnsafeScript($0) } == ["shipboard_s4", "shipboard_s5"])
        await connection.close()
    }
}
