import Hummingbird
import Images
import Logging
import ServiceKit
import ServiceLifecycle
import TestingCore

/// The DML download server (``DMLDownloadRouter``) on `SHIPBOARD_DML_HTTP_PORT`, beside the
/// health endpoint and on the same host (`SHIPBOARD_HTTP_HOST`), as one of the service's
/// background services: it stops with the rest on SIGTERM.
struct DMLDownloadServer: Service, CustomStringConvertible {
    let host: String
    let port: Int
    /// The DML store's folder; a store that cannot be opened stops the service at start-up.
    let storeRoot: String
    let catalog: any DMLCatalog
    let token: DMLBearerToken
    let logger: Logger

    func run() async throws {
        let logger = self.logger
        let router = DMLDownloadRouter(catalog: catalog, store: try DirectoryImageStore(root: storeRoot), token: token)
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
