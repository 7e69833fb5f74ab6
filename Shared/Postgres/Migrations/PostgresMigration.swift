import Foundation

/// One migration file, `NNNN_description.sql`.
public struct PostgresMigration: Sendable, Hashable {
    /// The number before the first underscore; files apply in ascending order.
    public let version: Int
    /// The description after the number, e.g. `service_schemas`.
    public let name: String
    /// The file name, e.g. `0001_service_schemas.sql`.
    public let fileName: String
    /// SHA-256 of the file's bytes, hex; an applied file must never change.
    public let checksum: String
    /// The file's SQL text.
    let sql: String

    /// Parses a file name and its content. Returns `nil` for files that are not `.sql`
    /// (READMEs and the like are ignored); throws for `.sql` files with a malformed name.
    static func load(fileName: String, contents: Data) throws(MigrationError) -> PostgresMigration? {
        guard fileName.hasSuffix(".sql"), !fileName.hasPrefix(".") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else {
            throw MigrationError(.invalidFileName, fileName: fileName)
        }
        let number = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard !number.isEmpty, number.allSatisfy(\.isASCIIDigit), let version = Int(number),
              !name.isEmpty, name.allSatisfy({ $0.isASCIIDigit || $0.isASCIILetter || $0 == "_" || $0 == "-" })
        else {
            throw MigrationError(.invalidFileName, fileName: fileName)
        }
        guard let sql = String(data: contents, encoding: .utf8) else {
            throw MigrationError(.unreadableFile, fileName: fileName)
        }
        return PostgresMigration(
            version: version, name: String(name), fileName: fileName,
            checksum: MigrationChecksum.hex(contents), sql: sql)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIILetter: Bool { isASCII && isLetter }
}
