import Foundation
import Images
import Postgres

/// Removes what the DML store holds that no available entry needs: an archive copied by an
/// acceptance whose commit never came (a crash, a lost connection), or kept by a retirement
/// whose commit did not land and was not redone, and temporary files of copies cut short.
///
/// It runs under the DML lock, so no acceptance is between its copy and its commit
/// meanwhile; any number of replicas may run it on a shared store.
public struct DMLStoreSweep: Sendable {
    public let pool: PostgresPool
    public let schema: String
    public let store: DirectoryImageStore

    public init(pool: PostgresPool, schema: String, store: DirectoryImageStore) {
        self.pool = pool
        self.schema = schema
        self.store = store
    }

    /// Sweeps once; returns the digests of the archives removed.
    @discardableResult
    public func run() async throws -> [String] {
        let store = self.store
        store.sweepPartials(olderThan: .seconds(3600))
        return try await pool.withTransaction { transaction in
            let dml = DMLRepository(schema: schema)
            try await dml.lock(in: transaction)
            let needed = Set(try await dml.allAvailable(in: transaction).map(\.sha256))
            let orphans = try store.digests().map(\.hex).filter { !needed.contains($0) }
            for digest in orphans {
                try FileManager.default.removeItem(atPath: (store.root as NSString).appendingPathComponent("\(digest).tar.gz"))
            }
            return orphans
        }
    }
}
