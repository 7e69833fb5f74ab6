import Hummingbird
import Images
import Logging
import Postgres
import ServiceKit
import ServiceLifecycle
import TestingCore

/// The DML download server (``DMLDownloadRouter``) on `SHIPBOARD_DML_HTTP_PORT`, beside the
/// health endpoint and on the same host (`SHIPBOARD_HTTP_HOST`), as one of the service's
/// background services: it stops with the rest on SIGTERM. Before it serves, it sweeps the
/// store of files no available entry needs (``DMLStoreSweep``).
struct DMLDownloadServer: Service, CustomStringConvertible {
    let host: String
    let port: Int
    /// The DML store's folder; a store that cannot be opened stops the service at start-up.
    let storeRoot: String
    let pool: PostgresPool
    let token: DMLBearerToken
    let logger: Logger

    func run() async throws {
        let logger = self.logger
        let store = try DirectoryImageStore(root: storeRoot)
        // What a crash between an acceptance's copy and its commit left is removed before
        // serving; a sweep that cannot run now (the database away) waits for the next start.
        do {
            let removed = try await DMLStoreSweep(pool: pool, schema: "testing", store: store).run()
            if !removed.isEmpty { logger.notice("DML files no entry needs removed", metadata: ["dml.removed": "\(removed.count)"]) }
        } catch {
            logger.warning("DML store sweep skipped", metadata: ["error": "\(error)"])
        }
        let router = DMLDownloadRouter(catalog: PostgresDMLCatalog(pool: pool, schema: "testing"), store: store, token: token)
        let application = Application(
            router: router.router(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                logger.info("DML downloads listening", metadata: ["dml.port": "\(channel.localAddress?.port ?? 0)"])
            },
            logger: logger)
        // `run()`, not `runService()`: the service group owns the signals and the shutdown order.
        try await application.run()
    }

    var description: String { "DMLDownloadServer(\(host):\(port))" }
}
