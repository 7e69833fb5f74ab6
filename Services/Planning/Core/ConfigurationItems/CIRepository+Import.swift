import Foundation
import Postgres

extension CIRepository {
    /// What an import stored.
    public struct ImportSummary: Sendable, Hashable {
        /// CIs inserted or updated.
        public let items: Int
        /// Relationships added (ones already stored are not counted).
        public let relationshipsAdded: Int
        /// Of `items`, the CIs that were not stored before.
        public let created: Int
        /// True when nothing was written (a dry run): the counts are what the import would do.
        public let dryRun: Bool
    }

    /// How an import treats what is already stored.
    public struct ImportOptions: Sendable, Hashable {
        /// Check and count only; write nothing.
        public var dryRun = false
        /// A CI already stored is a problem of its line, not an update.
        public var createOnly = false

        public init(dryRun: Bool = false, createOnly: Bool = false) {
            self.dryRun = dryRun
            self.createOnly = createOnly
        }
    }

    /// Imports CSV (format: ``CIImportDocument/csvColumns``). All or nothing: on any
    /// problem throws ``CIImportError`` listing every problem by line and stores nothing.
    @discardableResult
    public func importCSV(_ text: String) async throws -> ImportSummary {
        try await importDocument(CIImportDocument.parseCSV(text))
    }

    /// Imports JSON (format: ``CIImportDocument/parseJSON(_:)``), all or nothing like CSV.
    @discardableResult
    public func importJSON(_ data: Data) async throws -> ImportSummary {
        try await importDocument(CIImportDocument.parseJSON(data))
    }

    /// Imports `document` in a transaction of its own (see ``CIStore/importDocument(_:in:)``).
    public func importDocument(_ document: CIImportDocument) async throws -> ImportSummary {
        try await inTransaction { try await CIStore(schema: schema).importDocument(document, in: $0) }
    }
}
