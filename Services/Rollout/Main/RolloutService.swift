import Foundation
import Messaging
import RolloutCore
import ServiceKit

/// shipboard-rollout: plans rollouts and runs them. Every replica is both a coordinator
/// (``CoordinatorLoop``) and a worker of its pool (``DeployWorker``); the rest of its start-up
/// is every service's (`StandardService`).
@main
struct RolloutService {
    static func main() async {
        // Shared by the handlers, the workers and the coordinator of this replica.
        let wake = WakeSignal()
        await StandardService(
            name: "shipboard-rollout",
            summary: "rollout plans, waves and deploy workers",
            defaultHTTPPort: 8084, schema: "rollout", queue: "rollout.commands",
            variables: RolloutSettings.documentation, readSettings: RolloutSettings.init(reader:),
            migrationsDirectory: \.migrationsDirectory,
            handlers: { _ in RolloutCommandHandlers(wake: wake).handlers() },
            extraServices: { context, settings in
                for folder in [settings.targetsRoot, settings.stagingRoot, settings.cacheFolder] {
                    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
                let fetcher = settings.driverKind == .simulated
                    ? nil
                    : DMLFetcher(baseURL: settings.dmlURL, token: settings.dmlToken, cacheFolder: settings.cacheFolder, client: DMLFetcher.makeClient())
                return [
                    CoordinatorLoop(pool: context.pool, wake: wake, logger: context.logger),
                    DeployWorker(
                        settings: settings.worker, pool: context.pool, amqp: context.amqp, driver: settings.driver(), fetcher: fetcher,
                        wake: wake, logger: context.logger),
                ]
            }
        ).run()
    }
}
