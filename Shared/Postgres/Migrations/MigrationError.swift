/// Why migrations stopped. Names the file; for a failed file, carries the server's error
/// (whose description holds the server message but never values or passwords).
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The migrations directory does not exist or could not be listed.
        case unreadableDirectory
        /// The database could not be reached.
        case connectionFailed
        /// A `.sql` file is not named `NNNN_description.sql`.
        case invalidFileName
        /// Two files share a version number.
        case duplicateVersion(Int)
        /// A file could not be read or is not UTF-8.
        case unreadableFile
        /// The schema or history table name is not a plain identifier.
        case invalidHistoryTable
        /// Taking the advisory lock or preparing the history table failed.
        case setupFailed
        /// The file's SQL failed; its transaction was rolled back.
        case migrationFailed
        /// An applied file was edited afterwards.
        case checksumMismatch(applied: String, current: String)
    }

    /// Why migrations stopped.
    public let reason: Reason
    /// The file concerned, if any.
    public let fileName: String?
    /// The database or file-system error behind it, if any.
    public let underlying: (any Error)?

    init(_ reason: Reason, fileName: String? = nil, underlying: (any Error)? = nil) {
        self.reason = reason
        self.fileName = fileName
        self.underlying = underlying
    }

    public var description: String {
        let file = fileName ?? "?"
        let cause = underlying.map { ": \($0.postgresError.map { String(describing: $0) } ?? String(describing: $0))" } ?? ""
        switch reason {
        case .unreadableDirectory: return "cannot list the migrations directory \(file): it does not exist or is not readable"
        case .connectionFailed: return "cannot connect to the database\(cause)"
        case .invalidFileName: return "migration file \(file) is not named NNNN_description.sql"
        case .duplicateVersion(let version): return "migration version \(version) is used by more than one file (\(file))"
        case .unreadableFile: return "migration file \(file) cannot be read as UTF-8 text\(cause)"
        case .invalidHistoryTable: return "the migration schema or history table is not a plain SQL name"
        case .setupFailed: return "cannot prepare the migration history\(cause)"
        case .migrationFailed: return "migration \(file) failed and was rolled back\(cause)"
        case .checksumMismatch(let applied, let current):
            return "migration \(file) was changed after it was applied (checksum \(applied.prefix(12))… in the database, \(current.prefix(12))… on disk); add a new migration instead"
        }
    }
}
