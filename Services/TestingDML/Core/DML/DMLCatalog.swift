import Postgres

/// What the download server needs to know about an entry: its bytes' digest and size, and
/// whether they are still available.
public struct DMLDownloadable: Sendable, Equatable {
    public var sha256: String
    public var size: Int64
    public var isAvailable: Bool

    public init(sha256: String, size: Int64, isAvailable: Bool) {
        self.sha256 = sha256
        self.size = size
        self.isAvailable = isAvailable
    }
}

/// The DML's records as the download server reads them.
public protocol DMLCatalog: Sendable {
    /// The entry `name@version`, or nil when there is none.
    func downloadable(name: String, version: String) async throws -> DMLDownloadable?
    /// The bytes `sha256`: available when any entry holding them is; nil when no entry does.
    func downloadable(sha256: String) async throws -> DMLDownloadable?
}

/// ``DMLCatalog`` over `<schema>.dml_entries`.
public struct PostgresDMLCatalog: DMLCatalog {
    public let pool: PostgresPool
    public let schema: String

    public init(pool: PostgresPool, schema: String) {
        self.pool = pool
        self.schema = schema
    }

    public func downloadable(name: String, version: String) async throws -> DMLDownloadable? {
        try await pool.query(
            "SELECT sha256, size, state = 'available' FROM \(identifier: schema).dml_entries WHERE name = \(name) AND version = \(version)"
        ).first.map(Self.downloadable(from:))
    }

    public func downloadable(sha256: String) async throws -> DMLDownloadable? {
        try await pool.query(
            """
            SELECT sha256, size, state = 'available' FROM \(identifier: schema).dml_entries
            WHERE sha256 = \(sha256) ORDER BY state = 'available' DESC LIMIT 1
            """
        ).first.map(Self.downloadable(from:))
    }

    private static func downloadable(from row: PostgresRow) throws -> DMLDownloadable {
        let (sha256, size, available) = try row.decode((String, Int64, Bool).self)
        return DMLDownloadable(sha256: sha256, size: size, isAvailable: available)
    }
}
