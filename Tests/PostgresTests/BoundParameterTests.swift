import Foundation
import Postgres
import Testing

@Suite("Bound parameters carry hostile text unchanged")
struct BoundParameterTests {
    static let hostileStrings: [String] = [
        "it's",
        "'; DROP TABLE x; --",
        "\"; DROP TABLE x; --",
        "Robert'); DROP TABLE notes;--",
        #"back\slash \\ \x00 \' E'\n'"#,
        "$1 $2 $$ $tag$ dollar $$",
        "emoji 🚀👩‍👩‍👧‍👦 RTL مرحبا עברית \u{202E}desrever\u{202C} combining é",
        "tabs\tand\nnewlines\r\n",
        "",
        "%s %d %n {0} ${x} `cmd`",
        String(repeating: "ab'c\\😀", count: 150_000),  // about 1.5 MB of UTF-8
    ]

    @Test(arguments: [256, 0])
    func hostileStringsRoundTripAndLeaveTheSchemaAlone(cacheSize: Int) async throws {
        try await TestDatabase.withSchema { configuration, schema in
            var configuration = configuration
            configuration.preparedStatementCacheSize = cacheSize
            let connection = try await PostgresConnection.connect(configuration: configuration)
            try await connection.query("CREATE TABLE x (id int)")
            try await connection.query("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL, label varchar(100))")
            let before = try await TestDatabase.tables(in: schema, on: connection)
            #expect(before == ["notes", "x"])

            for (index, text) in Self.hostileStrings.enumerated() {
                let label = String(text.prefix(100))
                try await connection.query("INSERT INTO notes (id, body, label) VALUES (\(index), \(text), \(label))")
                let row = try await connection.query("SELECT body, label FROM notes WHERE id = \(index)").single()
                let (body, storedLabel) = try row.decode((String, String?).self)
                #expect(body == text, "string \(index) changed on the way through")
                #expect(storedLabel == label)
                let matches = try await connection.query("SELECT count(*) FROM notes WHERE body = \(text)").single()
                #expect(try matches.decode(Int.self) == 1)
            }

            #expect(try await TestDatabase.tables(in: schema, on: connection) == before)
            #expect(try await connection.query("SELECT count(*) FROM x").single().decode(Int.self) == 0)
            await connection.close()
        }
    }

    @Test func aStringWithNULIsRejectedClearlyAndTheConnectionStaysUsable() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        let text = "before\u{0}after-secret"
        do {
            try await connection.query("SELECT \(42), \(text)")
            Issue.record("a NUL byte must not be sent (libpq would truncate at it)")
        } catch let error as PostgresEncodingError {
            #expect(error.reason == .nulByteInText(parameter: 2))
            #expect(error.description.contains("NUL"))
            #expect(error.description.contains("$2"))
            #expect(!error.description.contains("secret"))
        }
        #expect(try await connection.query("SELECT \(1)").single().decode(Int.self) == 1)
        await connection.close()
    }

    @Test func invalidIdentifiersAreRejectedBeforeReachingTheServer() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        await #expect(throws: PostgresEncodingError(.invalidIdentifier)) {
            try await connection.query("SELECT 1 FROM \(identifier: "x; DROP TABLE y")")
        }
        await connection.close()
    }
}
