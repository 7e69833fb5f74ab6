import Foundation
import Testing

@testable import Postgres

@Suite("Pure helpers: timestamps, SHA-256, identifiers, redaction")
struct InternalsTests {
    @Test func timestampsFormatAndParseExactly() throws {
        let cases: [(String, Int64)] = [
            ("2001-01-01 00:00:00.000000+00", 0),
            ("2000-12-31 23:59:59.999999+00", -1),
            ("1970-01-01 00:00:00.000000+00", -978_307_200_000_000),
            ("2026-11-26 16:58:15.123456+00", 817_405_095_123_456),
            ("2024-02-29 12:00:00.000001+00", 730_900_800_000_001),
            ("0001-01-01 00:00:00.000000+00 BC", -63_145_526_400_000_000),
        ]
        for (text, micros) in cases {
            #expect(PostgresTimestamp.format(microsecondsSinceReference: micros) == text)
            #expect(PostgresTimestamp.parse(text) == micros)
        }
        #expect(PostgresTimestamp.parse("2026-11-26 18:58:15.123456+02") == 817_405_095_123_456)
        #expect(PostgresTimestamp.parse("2026-11-26 16:28:15.123456-00:30") == 817_405_095_123_456)
        #expect(PostgresTimestamp.parse("2026-11-26 16:58:15.1234+00") == 817_405_095_123_400)
        #expect(PostgresTimestamp.parse("2026-11-26 16:58:15") == 817_405_095_000_000)
        #expect(PostgresTimestamp.parse("2026-11-26") == 817_344_000_000_000)
        #expect(PostgresTimestamp.parse("26-11-2026") == nil)
        #expect(PostgresTimestamp.parse("2026-13-01 00:00:00+00") == nil)
    }

    @Test func migrationChecksumIsSHA256() {
        #expect(MigrationChecksum.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(MigrationChecksum.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            MigrationChecksum.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            MigrationChecksum.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func identifiersAndChannels() {
        #expect(PostgresIdentifier.isValid("t_abc123"))
        #expect(PostgresIdentifier.isValid("Mixed_Case"))
        #expect(!PostgresIdentifier.isValid("1abc"))
        #expect(!PostgresIdentifier.isValid("a-b"))
        #expect(!PostgresIdentifier.isValid("x\"; DROP TABLE y; --"))
        #expect(!PostgresIdentifier.isValid(String(repeating: "a", count: 64)))
        #expect(PostgresIdentifier.isValid(String(repeating: "a", count: 63)))
        #expect(PostgresIdentifier.isValidChannel("release_changed"))
        #expect(!PostgresIdentifier.isValidChannel("Release"))
        #expect(!PostgresIdentifier.isValidChannel(""))
    }

    @Test func interpolationBindsValuesAndNeverSplicesThem() {
        let name = "x'; DROP TABLE t; --"
        let missing: Int? = nil
        let query: PostgresQuery = "SELECT * FROM t WHERE a = \(name) AND b = \(42) AND c = \(missing) AND d = \(json: ["k": 1])"
        #expect(query.sql == "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3 AND d = $4")
        #expect(query.binds.count == 4)
        #expect(query.binds.map(\.dataType) == [.unknown, .int8, .int8, .unknown])
        #expect(!query.description.contains("DROP"))
    }

    @Test func boundValuesAreRedactedFromServerMessages() {
        let message = "invalid input syntax for type integer: \"abc\""
        let redacted = LibPQConnection.redact(message, binds: [PostgresBind("abc")])
        #expect(redacted == "invalid input syntax for type integer: \"<redacted>\"")
    }
}
