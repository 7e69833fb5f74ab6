extension Error {
    /// The ``PostgresError`` this error is or wraps (through ``PostgresTransactionError`` or
    /// ``MigrationError``), if any: `catch { if error.postgresError?.code == .uniqueViolation … }`.
    public var postgresError: PostgresError? {
        switch self {
        case let error as PostgresError: error
        case let error as PostgresTransactionError: error.underlying.postgresError
        case let error as MigrationError: error.underlying?.postgresError
        default: nil
        }
    }
}
