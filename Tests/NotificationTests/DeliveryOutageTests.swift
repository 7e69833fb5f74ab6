import Contracts
import Foundation
import Logging
import Messaging
import NotificationCore
import Postgres
import ShipboardTestSupport
import Testing

/// The dispatcher when the operator's database goes away mid-burst: the fault PostgreSQL
/// stopped (or killed) while deliveries are being sent, started again seconds later.
@Suite(.serialized)
struct DeliveryOutageTests {
    @Test("PostgreSQL stopped or killed mid-burst and started again: every delivery is sent, none more than twice (a repeat only for a send whose outcome could not be recorded)",
          arguments: [FaultPostgres.Outage.stop, .kill])
    func databaseOutageLosesNothing(_ outage: FaultPostgres.Outage) async throws {
        try await FaultPostgres.exclusively {
            let configuration = try FaultPostgres.configuration(.owner)
            try await MigrationGate.shared.ensureMigrated(configuration)
            let schema = "no_\(UUID().uuidString.prefix(8).lowercased())"
            let pool = PostgresPool(configuration: configuration, maxConnections: 6)
            try await pool.query("SELECT public.shipboard_create_notify_schema(\(schema))")
            let store = DeliveryStore(schema: schema)
            let count = 200
            let deliveries = (0..<count).map { index in
                NewDelivery(
                    source: "outage:\(index)", eventId: nil, releaseKey: "REL-0000043", eventType: "release.phase_changed",
                    recipient: "rita", channel: .webhook, address: "https://hooks-\(index % 2).example/h", reason: "requester",
                    message: NotificationTemplateText(subject: "s", text: "t"), inDigest: false)
            }
            try await pool.withTransaction { try await store.insert(deliveries, in: $0) }
            // Each send takes 20 ms: the burst lasts a few seconds, long enough to cut it in the middle.
            let sender = DeliveryDispatcherTests.ScriptedSender { _, _ in
                Thread.sleep(forTimeInterval: 0.02)
                return .delivered(detail: "HTTP 200")
            }
            let dispatcher = DeliveryDispatcher(
                settings: .init(
                    concurrency: 8, endpointLimit: 4, lease: .seconds(2), pollInterval: .milliseconds(100),
                    retry: DeliveryRetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100))),
                schema: schema, pool: pool, sender: sender, wake: WakeSignal(),
                logger: Logger(label: "test"))
            let run = Task { try await dispatcher.run() }
            while sender.sends.withLock({ $0.count }) < 40 { try await Task.sleep(for: .milliseconds(20)) }
            try await FaultPostgres.withOutage(outage) { try await Task.sleep(for: .seconds(4)) }
            let deadline = ContinuousClock.now + .seconds(60)
            var sent = 0
            while ContinuousClock.now < deadline {
                sent = (try? await pool.query("SELECT count(*) FROM \(identifier: schema).deliveries WHERE state = 'sent'")
                    .single().decode(Int.self)) ?? sent
                if sent == count { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            run.cancel()
            _ = try? await run.value
            let sends = sender.sends.withLock { $0 }
            #expect(sent == count)
            #expect(sends.count == count)
            #expect(sends.values.allSatisfy { $0 <= 2 })
            // Only sends in flight when the database went away can repeat: at most the concurrency.
            #expect(sends.values.reduce(0) { $0 + $1 - 1 } <= 8)
            _ = try? await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
            await pool.close()
        }
    }
}
