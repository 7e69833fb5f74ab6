import Foundation
import Postgres
import Testing

@Suite("Typed encoding and decoding")
struct TypeRoundTripTests {
    struct Payload: Codable, Equatable, Sendable {
        var name: String
        var count: Int
        var tags: [String]
        var ratio: Double?
    }

    @Test func everyTypeRoundTripsThroughATable() async throws {
        try await TestDatabase.withSchema { configuration, _ in
            let connection = try await PostgresConnection.connect(configuration: configuration)
            try await connection.query("CREATE TYPE mood AS ENUM ('calm', 'busy')")
            try await connection.query(
                """
                CREATE TABLE everything (
                    i int8, i4 int4, i2 int2, d float8, f float4, b bool, s text, u uuid,
                    ts timestamptz, bytes bytea, j jsonb, js json, m mood, vc varchar(20), note text
                )
                """)
            let id = UUID()
            let date = Date(timeIntervalSinceReferenceDate: 817_405_095.123456)
            let bytes = Data((0...255).map { UInt8($0) })
            let payload = Payload(name: "ship 'it'", count: 3, tags: ["a", "b\"c"], ratio: nil)
            let none: String? = nil
            try await connection.query(
                """
                INSERT INTO everything VALUES (\(Int64.max), \(Int32.min), \(Int16.max), \(Double.pi), \(Float(1.5)),
                    \(true), \("text"), \(id), \(date), \(bytes), \(PostgresJSON(payload)), \(json: payload),
                    \("busy"), \("short"), \(none))
                """)
            let row = try await connection.query("SELECT * FROM everything").single()
            let (i, i4, i2, d, f, b, s, u, ts, data, j, js, m, vc, note) = try row.decode(
                (Int64, Int32, Int16, Double, Float, Bool, String, UUID, Date, Data, PostgresJSON<Payload>,
                 PostgresJSON<Payload>, String, String, String?).self)
            #expect(i == Int64.max)
            #expect(i4 == Int32.min)
            #expect(i2 == Int16.max)
            #expect(d == Double.pi)
            #expect(f == 1.5)
            #expect(b == true)
            #expect(s == "text")
            #expect(u == id)
            #expect(ts == date)
            #expect(data == bytes)
            #expect(j.value == payload)
            #expect(js.value == payload)
            #expect(m == "busy")
            #expect(vc == "short")
            #expect(note == nil)
            #expect(try row.decode("u", as: String.self) == id.uuidString.lowercased())
            #expect(try row.decode(at: 0, as: Int.self) == Int.max)

            // A String binds untyped, so it works against uuid and enum columns.
            let byText = try await connection.query(
                "SELECT count(*) FROM everything WHERE u = \(id.uuidString) AND m = \("busy")")
            #expect(try byText.single().decode(Int.self) == 1)
            await connection.close()
        }
    }

    @Test(arguments: [Int64.min, Int64.max, 0, -1, 42])
    func int64Extremes(value: Int64) async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        #expect(try await connection.query("SELECT \(value)").single().decode(Int64.self) == value)
        #expect(try await connection.query("SELECT \(Int(value))").single().decode(Int.self) == Int(value))
        await connection.close()
    }

    @Test func doublesIncludingInfinitiesAndNaN() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        let values: [Double] = [
            0, -0.0, 1.5, -2.25, .pi, 1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .infinity, -.infinity, 0.1 + 0.2,
        ]
        for value in values {
            let back = try await connection.query("SELECT \(value)").single().decode(Double.self)
            #expect(back == value)
            #expect(back.sign == value.sign)
        }
        #expect(try await connection.query("SELECT \(Double.nan)").single().decode(Double.self).isNaN)
        let (infinite, numeric) = try await connection.query("SELECT 'Infinity'::float8, 12.50::numeric").single()
            .decode((Double, Double).self)
        #expect(infinite == .infinity)
        #expect(numeric == 12.5)
        await connection.close()
    }

    @Test func datesKeepMicroseconds() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        let dates = [
            Date(timeIntervalSinceReferenceDate: 817_405_095.123456),
            Date(timeIntervalSinceReferenceDate: -1.000001),
            Date(timeIntervalSince1970: 0),
            Date(timeIntervalSinceReferenceDate: 4_000_000_000.999999),
        ]
        for date in dates {
            let row = try await connection.query("SELECT \(date), \(date)::timestamp, \(date)::text").single()
            let (tz, plain, text) = try row.decode((Date, Date, String).self)
            #expect(tz == date)
            #expect(plain == date)
            #expect(text.hasSuffix("+00"), "session time zone must be UTC")
        }
        let now = Date()
        let back = try await connection.query("SELECT \(now)").single().decode(Date.self)
        #expect(abs(back.timeIntervalSince(now)) < 0.000_001)
        let server = try await connection.query("SELECT '2026-11-26 16:58:15.123456+00'::timestamptz").single()
        #expect(try server.decode(Date.self) == Date(timeIntervalSinceReferenceDate: 817_405_095.123456))
        await connection.close()
    }

    @Test func bytesIncludingEveryByteValue() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        for data in [Data((0...255).map { UInt8($0) }), Data(), Data([0, 0, 0]), Data((0..<100_000).map { UInt8($0 % 251) })] {
            let row = try await connection.query("SELECT \(data), length(\(data))").single()
            let (back, length) = try row.decode((Data, Int).self)
            #expect(back == data)
            #expect(length == data.count)
        }
        await connection.close()
    }

    @Test func nullDecodesAsNilAndOnlyAsNil() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        let missing: Int? = nil
        let row = try await connection.query("SELECT \(missing) AS maybe, NULL::text AS nothing").single()
        #expect(try row.decode((Int?, String?).self) == (nil, nil))
        #expect(row.isNull(at: 0))
        do {
            _ = try row.decode("maybe", as: Int.self)
            Issue.record("NULL must not decode as a non-optional Int")
        } catch {
            #expect(error.reason == .unexpectedNull)
            #expect(error.columnName == "maybe")
        }
        await connection.close()
    }

    @Test func typeMismatchesNameTheColumn() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        let row = try await connection.query("SELECT 7 AS id, 'abc'::text AS name, 1 AS flag, 100000 AS big").single()
        do {
            _ = try row.decode("name", as: Int.self)
            Issue.record("text must not decode as Int")
        } catch {
            #expect(error.reason == .typeMismatch)
            #expect(error.columnName == "name")
            #expect(error.columnIndex == 1)
            #expect(error.swiftType == "Int")
            #expect(error.postgresType == "text")
            #expect(error.description.contains("\"name\""))
            #expect(error.description.contains("index 1"))
            #expect(error.description.contains("text"))
        }
        #expect(throws: PostgresDecodingError.self) { try row.decode("flag", as: Bool.self) }
        do {
            _ = try row.decode("big", as: Int16.self)
            Issue.record("100000 does not fit Int16")
        } catch {
            #expect(error.reason == .outOfRange)
            #expect(error.columnName == "big")
        }
        do {
            _ = try row.decode((Int, String).self)
            Issue.record("four columns are not two")
        } catch {
            #expect(error.reason == .columnCountMismatch(requested: 2, actual: 4))
        }
        #expect(throws: PostgresDecodingError.self) { try row.decode("missing", as: Int.self) }
        let (id, name, flag, big) = try row.decode((Int, String, Int32, Int).self)
        #expect(id == 7 && name == "abc" && flag == 1 && big == 100_000)
        await connection.close()
    }
}
