/// An error reported by the server or by libpq.
///
/// Carries the SQLSTATE, a readable ``Code`` and the server's diagnostic fields that name
/// schema objects. ``description`` never contains SQL text, bound values (the DETAIL field,
/// which echoes key values, is not kept, and bound values quoted in the message are
/// replaced by `<redacted>`) or passwords.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why a connection attempt failed.
    public enum ConnectionFailure: String, Sendable, Hashable {
        case refused
        case timedOut = "timed out"
        case authenticationFailed = "authentication failed"
        case unreachable
        case databaseNotFound = "database not found"
        case other
    }

    /// The readable classification of ``sqlState`` (or of a client-side failure).
    public let code: Code
    /// The five-character SQLSTATE from the server, if there was one.
    public let sqlState: String?
    /// The server's primary message (or libpq's), with bound values and passwords redacted.
    public let message: String
    /// The server's severity (`ERROR`, `FATAL`…), if reported.
    public let severity: String?
    /// Schema of the object involved, from the server's diagnostics.
    public let schemaName: String?
    /// Table involved, from the server's diagnostics.
    public let tableName: String?
    /// Column involved, from the server's diagnostics.
    public let columnName: String?
    /// Constraint involved (e.g. the unique index), from the server's diagnostics.
    public let constraintName: String?
    /// For ``Code/connectionFailure``: why the connection could not be made.
    public let connectionFailure: ConnectionFailure?

    init(
        code: Code, sqlState: String? = nil, message: String, severity: String? = nil,
        schemaName: String? = nil, tableName: String? = nil, columnName: String? = nil,
        constraintName: String? = nil, connectionFailure: ConnectionFailure? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.severity = severity
        self.schemaName = schemaName
        self.tableName = tableName
        self.columnName = columnName
        self.constraintName = constraintName
        self.connectionFailure = connectionFailure
    }

    /// Serialization failures and deadlocks succeed when the transaction is run again; a
    /// lost connection may succeed on a new one.
    public var isRetryable: Bool {
        switch code {
        case .serializationFailure, .deadlockDetected, .connectionLost: true
        default: false
        }
    }

    public var description: String {
        var text = "PostgresError(\(code)"
        if let sqlState { text += ", sqlstate \(sqlState)" }
        if let connectionFailure { text += ", \(connectionFailure.rawValue)" }
        text += "): \(message)"
        var objects: [String] = []
        if let schemaName { objects.append("schema \(schemaName)") }
        if let tableName { objects.append("table \(tableName)") }
        if let columnName { objects.append("column \(columnName)") }
        if let constraintName { objects.append("constraint \(constraintName)") }
        if !objects.isEmpty { text += " [\(objects.joined(separator: ", "))]" }
        return text
    }
}
