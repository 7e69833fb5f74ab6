import Foundation
import Testing

@testable import ServiceKit

@Suite("Start-up stops on bad configuration")
struct LoadOrExitTests {
    @Test("valid configuration is returned with the service's own settings")
    func valid() {
        let (configuration, workers) = ServiceMain.loadOrExit(
            serviceName: "rollout", defaultHTTPPort: 8084,
            environment: [
                "SHIPBOARD_DATABASE_URL": "postgres://h/db", "SHIPBOARD_AMQP_URL": "amqp://h/v", "ROLLOUT_WORKERS": "3",
            ]
        ) { reader in reader.int("ROLLOUT_WORKERS", default: 1, range: 1...8) }
        #expect(configuration.serviceName == "rollout")
        #expect(workers == 3)
    }

    @Test("invalid configuration prints every problem, no secret, and exits with status 2")
    func exits() async throws {
        let result = await #expect(processExitsWith: .exitCode(2), observing: [\.standardErrorContent]) {
            _ = ServiceMain.loadOrExit(
                serviceName: "planning", defaultHTTPPort: 8081,
                environment: ["SHIPBOARD_DATABASE_URL": "mysql://u:p4ssw0rd@h/db", "PLANNING_BATCH": "big"]
            ) { reader in reader.int("PLANNING_BATCH", default: 10, range: 1...100) }
            // Not reached: loadOrExit exits.
            exit(0)
        }
        let stderr = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(stderr.contains("configuration error (3 problems)"))
        #expect(stderr.contains("SHIPBOARD_DATABASE_URL is not a URL starting with postgres:// or postgresql://"))
        #expect(stderr.contains("SHIPBOARD_AMQP_URL is required but not set"))
        #expect(stderr.contains(#"PLANNING_BATCH is not an integer (got "big")"#))
        #expect(!stderr.contains("p4ssw0rd"))
    }
}
