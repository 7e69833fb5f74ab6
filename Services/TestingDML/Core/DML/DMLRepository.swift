import Contracts
import Foundation
import Postgres

/// `<schema>.dml_entries` and `dml_pins`, inside the caller's transaction.
///
/// Every change to the DML first takes ``lock(in:)``: acceptance (which may add a file that
/// a retirement is about to remove), retirement and pins then apply one after another, so a
/// file is never removed while an entry that needs it is being added or pinned.
public struct DMLRepository: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    /// The DML's transaction-scoped advisory lock (one per schema).
    public func lock(in transaction: PostgresTransaction) async throws {
        _ = try await transaction.query("SELECT pg_advisory_xact_lock(hashtext(\(schema + ".dml")))", label: "lock the DML")
    }

    /// The entry at `name@version` with its holders, or nil.
    public func record(name: String, version: String, in transaction: PostgresTransaction) async throws -> DMLEntryRecord? {
        try await records(name: name, version: version, availableOnly: false, in: transaction).first
    }

    /// The available entries of `name` with their holders.
    public func available(named name: String, in transaction: PostgresTransaction) async throws -> [DMLEntryRecord] {
        try await records(name: name, version: nil, availableOnly: true, in: transaction)
    }

    /// Entries with their holders, filtered by name, version and state when given.
    private func records(name: String?, version: String?, availableOnly: Bool, in transaction: PostgresTransaction) async throws -> [DMLEntryRecord] {
        try await transaction.query(
            """
            SELECT e.id, e.name, e.version, e.sha256, e.accepted_at, e.state = 'available',
                   coalesce(array_to_string(array(SELECT p.holder FROM \(identifier: schema).dml_pins p
                                                  WHERE p.entry_id = e.id ORDER BY p.holder), E'\\n'), '')
            FROM \(identifier: schema).dml_entries e
            WHERE (\(name)::text IS NULL OR e.name = \(name)) AND (\(version)::text IS NULL OR e.version = \(version))
              AND (NOT \(availableOnly) OR e.state = 'available')
            ORDER BY e.id
            """, label: "load DML entries"
        ).map { row in
            let (id, name, version, sha256, acceptedAt, available, holders) = try row.decode((Int64, String, String, String, Date, Bool, String).self)
            return DMLEntryRecord(id: id, name: name, version: version, sha256: sha256, acceptedAt: acceptedAt, isAvailable: available,
                                  holders: holders.isEmpty ? [] : holders.split(separator: "\n").map(String.init))
        }
    }

    /// The entry at `name@version` as the contract shows it, or nil.
    public func entry(name: String, version: String, in transaction: PostgresTransaction) async throws -> DMLEntry? {
        try await transaction.query(
            "SELECT \(Self.entryColumns) FROM \(identifier: schema).dml_entries WHERE name = \(name) AND version = \(version)",
            label: "load DML entry"
        ).first.map(Self.entry(from:))
    }

    /// Adds an accepted image's entry; returns it as stored.
    public func insert(_ candidate: AcceptanceCandidate, by actor: String, overrideReason: String?, in transaction: PostgresTransaction) async throws -> DMLEntry {
        try Self.entry(from: try await transaction.query(
            """
            INSERT INTO \(identifier: schema).dml_entries
                (name, version, sha256, size, release_key, build_id, test_run_id, accepted_by, override_reason)
            VALUES (\(candidate.name), \(candidate.version), \(candidate.imageSha256), \(candidate.size), \(candidate.releaseKey),
                    \(candidate.buildId), \(candidate.runId), \(actor), \(overrideReason))
            RETURNING \(Self.entryColumns)
            """, label: "add DML entry").single())
    }

    /// Marks an available entry retired, by whom and why.
    public func retire(_ entry: DMLEntryRecord, by actor: String, reason: String, in transaction: PostgresTransaction) async throws {
        _ = try await transaction.query(
            """
            UPDATE \(identifier: schema).dml_entries
            SET state = 'retired', retired_at = now(), retired_by = \(actor), retired_reason = \(reason)
            WHERE id = \(entry.id) AND state = 'available'
            """, label: "retire DML entry")
    }

    /// How many available entries hold the bytes `sha256`.
    public func availableCount(sha256: String, in transaction: PostgresTransaction) async throws -> Int {
        try await transaction.query(
            "SELECT count(*) FROM \(identifier: schema).dml_entries WHERE sha256 = \(sha256) AND state = 'available'",
            label: "count DML entries of a digest"
        ).single().decode(at: 0, as: Int.self)
    }

    /// Every available entry: what verify-all checks.
    public func allAvailable(in transaction: PostgresTransaction) async throws -> [DMLEntryRecord] {
        try await records(name: nil, version: nil, availableOnly: true, in: transaction)
    }

    /// `holder` uses the entry (idempotent).
    public func pin(_ entry: DMLEntryRecord, holder: String, in transaction: PostgresTransaction) async throws {
        try await transaction.enqueue(
            """
            INSERT INTO \(identifier: schema).dml_pins (entry_id, holder) VALUES (\(entry.id), \(holder))
            ON CONFLICT (entry_id, holder) DO NOTHING
            """, label: "pin DML entry")
    }

    /// `holder` no longer uses the entry (idempotent).
    public func unpin(_ entry: DMLEntryRecord, holder: String, in transaction: PostgresTransaction) async throws {
        try await transaction.enqueue(
            "DELETE FROM \(identifier: schema).dml_pins WHERE entry_id = \(entry.id) AND holder = \(holder)", label: "unpin DML entry")
    }

    static func entry(from row: PostgresRow) throws -> DMLEntry {
        func text(_ index: Int) throws -> String { try row.decode(at: index, as: String.self) }
        func number(_ index: Int) throws -> Int64 { try row.decode(at: index, as: Int64.self) }
        return DMLEntry(
            name: try text(0), version: try text(1), sha256: try text(2), size: try number(3), releaseKey: try text(4),
            buildId: try number(5), testRunId: try number(6), acceptedBy: try text(7),
            acceptedAt: try row.decode(at: 8, as: Date.self).formatted(.iso8601), overrideReason: try row.decode(at: 9, as: String?.self),
            state: try text(10))
    }
}

/// Column names spliced into a query's text (never values).
struct DMLEntryColumns: Sendable {
    let sql: String
}

extension DMLRepository {
    /// The columns ``entry(from:)`` reads, in its order.
    static let entryColumns = DMLEntryColumns(
        sql: "name, version, sha256, size, release_key, build_id, test_run_id, accepted_by, accepted_at, override_reason, state")
}

extension PostgresQuery.StringInterpolation {
    mutating func appendInterpolation(_ columns: DMLEntryColumns) {
        appendLiteral(columns.sql)
    }
}
