import Foundation
import ServiceKit
import TestingCore

/// shipboard-testing: runs test plans on images, records results and acceptance, owns the
/// DML and serves its downloads; the rest of its start-up is every service's (`StandardService`).
@main
struct TestingService {
    static func main() async {
        await StandardService(
            name: "shipboard-testing",
            summary: "test runs, acceptance and the Definitive Media Library",
            defaultHTTPPort: 8083, schema: "testing", queue: "testing.commands",
            variables: TestingSettings.documentation, readSettings: TestingSettings.init(reader:),
            migrationsDirectory: \.migrationsDirectory,
            handlers: { settings in
                for folder in [settings.folders.dmlStore, settings.folders.workRoot] {
                    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
                let handlers = TestingCommandHandlers(settings: settings.folders, limits: settings.limits)
                // Runs killed mid-way (kill -9) left their sandboxes; their commands run again.
                handlers.sweepAbandonedSandboxes()
                return handlers.handlers()
            },
            extraServices: { context, settings in
                [DMLDownloadServer(
                    host: context.httpHost, port: settings.dmlPort, storeRoot: settings.folders.dmlStore,
                    pool: context.pool, token: DMLBearerToken(settings.dmlToken),
                    logger: context.logger)]
            }
        ).run()
    }
}
