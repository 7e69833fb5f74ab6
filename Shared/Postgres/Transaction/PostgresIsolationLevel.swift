/// Transaction isolation levels (PostgreSQL runs READ UNCOMMITTED as READ COMMITTED).
public enum PostgresIsolationLevel: String, Sendable, Hashable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"

    var beginStatement: String { "BEGIN ISOLATION LEVEL \(rawValue)" }
}
