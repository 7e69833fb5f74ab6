import AMQP
import Contracts
import Foundation
import Glibc
import Postgres

/// Issue 14's notification latency: `release.phase_changed` events published to
/// `shipboard.events` at `rate` per second for `seconds`, each with 5 subscribers (two
/// releases alternate: 3 email + 2 webhook, 2 email + 3 webhook, so half of the deliveries go
/// each way), handled by `shipboard-notify` (the release build, a separate process) sending
/// to the SMTP sink (`smtp-sink.py`, a separate process) and to a webhook receiver in this
/// process.
///
/// - A delivery's latency is its arrival (the sink's `acceptedAt`, the receiver's clock) minus
///   the wall time just before its event was published (with a confirm); deliveries are matched
///   to events through `notify.deliveries` (id → event_id) after the run. All clocks are this
///   machine's. Its `created_at` splits it into intake (event → recorded) and dispatch.
/// - The release's requester and coordinator are the events' actor, who is no user: the role
///   defaults add nobody, and each event yields exactly its 5 subscribers' deliveries.
/// - Baselines measured alone before notify starts: the sink's acceptance rate (smtplib, one
///   connection) and the receiver's (AsyncHTTPClient, 8 connections, notify's per-endpoint bound).
enum NotifyBenchmarks {
    static let secret = "notify-bench-secret-0123456789abcdef"
    static let recipientsPerEvent = 5

    static func run(databaseURL: String, amqpURL: String, migrations: String, rate: Int, seconds: Int) async throws -> [BenchmarkRow] {
        let database = try PostgresConfiguration(url: databaseURL)
        _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations)).migrate(configuration: database)
        let owner = PostgresPool(configuration: database, maxConnections: 2)
        var adminConfiguration = try AMQPConfiguration(url: amqpURL)
        adminConfiguration.heartbeat = 0
        let admin = try await AMQPConnection.connect(adminConfiguration)
        if let events = try? await admin.queueCounts("notify.events"), events.consumers > 0 {
            await admin.close()
            await owner.close()
            throw BenchmarkError("\(events.consumers) shipboard-notify replica(s) already consume notify.events on this vhost: stop them first")
        }
        // Events other runs left in notify's queues (nothing consumed them) are not this run's.
        for queue in ["notify.commands", "notify.events"] {
            try? await admin.deleteQueue(queue)
            try? await admin.deleteQueue(queue + ".dead")
        }
        let folder = FileManager.default.currentDirectoryPath + "/.run/bench/notify-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let sink = try NotifyBenchSink(directory: folder + "/mail")
        let receiver: NotifyBenchReceiver
        do { receiver = try await NotifyBenchReceiver.start() } catch { sink.stop(); throw error }
        let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL))
        let clientTask = Task { await client.run() }
        var notify: Process?
        func finish() async {
            if let notify, notify.isRunning {
                notify.terminate()
                notify.waitUntilExit()
            }
            sink.stop()
            await receiver.stop()
            clientTask.cancel()
            for queue in ["notify.commands", "notify.events"] { try? await admin.deleteQueue(queue) }
            await admin.close()
            await owner.close()
        }
        do {
            // Baselines, alone.
            let sinkRate = try sink.acceptanceRate(count: 2_000)
            let receiverRate = try await receiver.acceptanceRate(count: 4_000, connections: 8)
            print(String(format: "notify baselines: SMTP sink accepts %.0f msg/s (smtplib, 1 connection); webhook receiver %.0f req/s (8 connections)", sinkRate, receiverRate))

            let releases = try await seed(owner: owner, receiver: receiver)
            notify = try launch(databaseURL: databaseURL, amqpURL: amqpURL, migrations: migrations, smtpPort: sink.port, log: folder + "/notify.log")
            try await waitForConsumer(admin: admin, notify: notify!)

            // Warm-up: one second's events, all delivered, not counted.
            var before = sink.count + (await receiver.arrivals).count
            let warmUp = try await publish(client: client, releases: releases, rate: rate, count: rate)
            _ = try await waitForArrivals(
                owner: owner, sink: sink, receiver: receiver, events: Set(warmUp.keys), before: before, limit: .seconds(30))
            before = sink.count + (await receiver.arrivals).count

            let cpuBefore = try ProcessCPU.seconds(notify!)
            let postgresBefore = MachineCPU.sample(command: "postgres")
            let published = try await publish(client: client, releases: releases, rate: rate, count: rate * seconds)
            let firstPublish = published.values.min() ?? 0
            let lastPublish = published.values.max() ?? 0
            let (deliveries, arrivals) = try await waitForArrivals(
                owner: owner, sink: sink, receiver: receiver, events: Set(published.keys), before: before, limit: .seconds(30))
            let notifyCPU = try ProcessCPU.seconds(notify!) - cpuBefore
            let postgresCPU = MachineCPU.seconds(since: postgresBefore)

            let overall = LatencyRecorder(), email = LatencyRecorder(), webhook = LatencyRecorder()
            let intake = LatencyRecorder(), dispatch = LatencyRecorder()
            var lastArrival = 0.0
            for delivery in deliveries.values {
                guard let arrived = arrivals[delivery.id], let sent = published[delivery.event] else { continue }
                lastArrival = max(lastArrival, arrived)
                await overall.add(seconds: arrived - sent)
                await (delivery.channel == "email" ? email : webhook).add(seconds: arrived - sent)
                await intake.add(seconds: delivery.created - sent)
                await dispatch.add(seconds: arrived - delivery.created)
            }
            let expected = published.count * recipientsPerEvent
            let delivered = await overall.count
            let emailThroughput = Double(await email.count) / max(lastArrival - firstPublish, 0.001)
            let throughput = Double(delivered) / max(lastArrival - firstPublish, 0.001)
            let publishRate = Double(published.count) / max(lastPublish - firstPublish, 0.001)
            func line(_ name: String, _ recorder: LatencyRecorder) async -> String {
                let count = await recorder.count
                let (p50, p95) = (await recorder.milliseconds(atPercentile: 50), await recorder.milliseconds(atPercentile: 95))
                let (p99, maximum) = (await recorder.milliseconds(atPercentile: 99), await recorder.maximumMilliseconds)
                return "\(name) \(count): " + String(format: "p50 %.1f, p95 %.1f, p99 %.1f, max %.1f ms", p50, p95, p99, maximum)
            }
            print(String(
                format: "notify: %d events in %.2f s (%.1f/s), %d of %d deliveries arrived (%.0f/s); CPU notify %.1f s, postgres %.1f s",
                published.count, lastPublish - firstPublish, publishRate, delivered, expected, throughput, notifyCPU, postgresCPU))
            for (name, recorder) in [("  all", overall), ("  email", email), ("  webhook", webhook),
                                     ("  intake (publish → recorded)", intake), ("  dispatch (recorded → arrival)", dispatch)] {
                print(await line(name, recorder))
            }
            let p99 = await overall.milliseconds(atPercentile: 99)
            let rows = [
                BenchmarkRow(
                    name: "notify publish→arrival p50", value: await overall.milliseconds(atPercentile: 50), unit: "ms",
                    baselineName: "", baseline: nil, target: nil),
                BenchmarkRow(
                    name: "notify publish→arrival p95", value: await overall.milliseconds(atPercentile: 95), unit: "ms",
                    baselineName: "", baseline: nil, target: nil),
                BenchmarkRow(
                    name: "notify publish→arrival p99 (\(rate) ev/s × 5)", value: p99, unit: "ms", baselineName: "", baseline: nil,
                    target: 250, targetIsMaximum: true),
                BenchmarkRow(
                    name: "notify publish→arrival max", value: await overall.maximumMilliseconds, unit: "ms", baselineName: "",
                    baseline: nil, target: nil),
                BenchmarkRow(
                    name: "notify email p99", value: await email.milliseconds(atPercentile: 99), unit: "ms", baselineName: "",
                    baseline: nil, target: 250, targetIsMaximum: true),
                BenchmarkRow(
                    name: "notify webhook p99", value: await webhook.milliseconds(atPercentile: 99), unit: "ms", baselineName: "",
                    baseline: nil, target: 250, targetIsMaximum: true),
                BenchmarkRow(
                    name: "notify deliveries arrived", value: Double(delivered), unit: "", baselineName: "expected",
                    baseline: Double(expected), target: Double(expected)),
                BenchmarkRow(
                    name: "notify emails accepted/s", value: emailThroughput, unit: "msg/s", baselineName: "SMTP sink alone (smtplib)",
                    baseline: sinkRate, target: nil),
                BenchmarkRow(
                    name: "notify deliveries/s (all channels)", value: throughput, unit: "/s", baselineName: "SMTP sink alone (smtplib)",
                    baseline: sinkRate, target: nil),
                BenchmarkRow(
                    name: "notify webhooks/s", value: throughput - emailThroughput, unit: "req/s",
                    baselineName: "webhook receiver alone (AHC)", baseline: receiverRate, target: nil),
            ]
            await finish()
            try? FileManager.default.removeItem(atPath: folder)
            return rows
        } catch {
            print("notify benchmark failed; notify's log and the sink's mail in \(folder)")
            await finish()
            throw error
        }
    }

    struct BenchRelease {
        let key: String
        let actor: String
    }

    /// Two releases, each with 5 subscribed users: 3 email + 2 webhook, and 2 email + 3 webhook.
    static func seed(owner: PostgresPool, receiver: NotifyBenchReceiver) async throws -> [BenchRelease] {
        let tag = String(UUID().uuidString.filter(\.isLetter).prefix(6)).lowercased()
        var releases: [BenchRelease] = []
        for (index, emails) in [3, 2].enumerated() {
            let key = "REL-8\(Int.random(in: 1_000_000...9_999_999))"
            let actor = "bench-actor-\(tag)"
            _ = try await owner.query(
                """
                INSERT INTO planning.releases (key, title, type, impact, urgency, priority, requester, coordinator, phase, status)
                VALUES (\(key), \("Notify bench \(tag) \(index)"), 'minor', 'medium', 'medium', 'moderate', \(actor), \(actor), 'plan', 'in_progress')
                """)
            for person in 0..<recipientsPerEvent {
                let name = "bench-\(tag)-\(index)-\(person)"
                let channel = person < emails ? "email" : "webhook"
                let address = channel == "email" ? "\(name)@example.test" : receiver.url(for: name)
                let id = try await owner.query(
                    """
                    INSERT INTO gateway.users (name, display_name, roles, created_by)
                    VALUES (\(name), \(name), ARRAY['viewer']::text[], 'notify-bench') RETURNING id
                    """).single().decode(UUID.self)
                _ = try await owner.query(
                    "INSERT INTO gateway.contact_points (user_id, channel, address) VALUES (\(id), \(channel), \(address))")
                _ = try await owner.query(
                    """
                    INSERT INTO notify.subscriptions (id, subscriber_kind, subscriber, event_pattern, channel, release_key, created_by)
                    VALUES (\(UUID()), 'person', \(name), 'release.phase_changed', \(channel), \(key), \(name))
                    """)
            }
            releases.append(BenchRelease(key: key, actor: actor))
        }
        return releases
    }

    static func launch(databaseURL: String, amqpURL: String, migrations: String, smtpPort: Int, log: String) throws -> Process {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("shipboard-notify")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchmarkError("\(binary.path) is missing: build it with swift build -c release --product shipboard-notify")
        }
        var environment = ProcessInfo.processInfo.environment
        environment.merge([
            "SHIPBOARD_DATABASE_URL": databaseURL, "SHIPBOARD_AMQP_URL": amqpURL, "SHIPBOARD_MIGRATIONS_DIR": migrations,
            "SHIPBOARD_HTTP_PORT": "0", "SHIPBOARD_LOG_LEVEL": "warning",
            "SHIPBOARD_NOTIFY_SMTP_URL": "smtp://127.0.0.1:\(smtpPort)", "SHIPBOARD_NOTIFY_SMTP_STARTTLS": "off",
            "SHIPBOARD_NOTIFY_WEBHOOK_SECRET": secret, "SHIPBOARD_NOTIFY_ALLOW_LOOPBACK_TARGETS": "true",
            "SHIPBOARD_NOTIFY_BASE_URL": "https://shipboard.example",
        ]) { _, setting in setting }
        let process = Process()
        process.executableURL = binary
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    static func waitForConsumer(admin: AMQPConnection, notify: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard notify.isRunning else { throw BenchmarkError("shipboard-notify exited at start-up (status \(notify.terminationStatus))") }
            if let counts = try? await admin.queueCounts("notify.events"), counts.consumers > 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("shipboard-notify did not consume notify.events within 60 s")
    }

    /// Publishes `count` events at `rate` per second, alternating the releases, each due at its
    /// slot (one after another: a late one is published as soon as the one before is confirmed).
    /// Event id → wall time just before its publish (Unix seconds).
    static func publish(client: AMQPClient, releases: [BenchRelease], rate: Int, count: Int) async throws -> [UUID: Double] {
        var published: [UUID: Double] = [:]
        let interval = Duration.seconds(1) / rate
        let start = ContinuousClock.now + .milliseconds(20)
        for index in 0..<count {
            let release = releases[index % releases.count]
            // from ≠ the release's phase (plan): no gate is asked to approve.
            let envelope = Envelope(
                ReleasePhaseChanged(releaseKey: release.key, actor: release.actor, from: .plan, to: .build),
                correlationId: release.key, actor: release.actor)
            let message = AMQPMessage(
                exchange: Exchanges.events, routingKey: ReleasePhaseChanged.messageType, body: try ContractCoding.encode(envelope),
                properties: AMQPProperties(messageID: envelope.id.uuidString.lowercased(), type: ReleasePhaseChanged.messageType))
            try await Task.sleep(until: start + interval * index, clock: .continuous)
            published[envelope.id] = Date().timeIntervalSince1970
            try await client.publish(message)
        }
        return published
    }

    struct Delivery {
        let id: UUID
        let event: UUID
        let channel: String
        let created: Double
    }

    /// Waits until every delivery of `events` arrived (or `limit` passed since the call); the
    /// deliveries recorded for them and the arrival times by delivery id. `before`: the messages
    /// and requests the sink and the receiver had before these events.
    static func waitForArrivals(
        owner: PostgresPool, sink: NotifyBenchSink, receiver: NotifyBenchReceiver, events: Set<UUID>, before: Int,
        limit: Duration
    ) async throws -> ([UUID: Delivery], [UUID: Double]) {
        let deadline = ContinuousClock.now + limit
        let expected = events.count * recipientsPerEvent
        while true {
            let webhooks = await receiver.arrivals
            let arrivedCount = sink.count + webhooks.count - before
            // Cheap check first: the sink and the receiver have seen at least as many as expected.
            if arrivedCount >= expected || ContinuousClock.now >= deadline {
                let deliveries = try await owner.query(
                    """
                    SELECT id, event_id, channel, extract(epoch FROM created_at)::float8 FROM notify.deliveries
                    WHERE event_id IS NOT NULL AND event_type = 'release.phase_changed'
                    """
                ).map { row in
                    let (id, event, channel, created) = try row.decode((UUID, UUID, String, Double).self)
                    return Delivery(id: id, event: event, channel: channel, created: created)
                }.filter { events.contains($0.event) }
                var arrivals = sink.acceptances()
                for (key, time) in webhooks { if let id = UUID(uuidString: key) { arrivals[id] = time } }
                let byId = Dictionary(deliveries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                let arrived = byId.keys.filter { arrivals[$0] != nil }.count
                if deliveries.count > expected {
                    let channels = Dictionary(grouping: deliveries, by: \.channel).mapValues(\.count)
                    throw BenchmarkError("\(deliveries.count) deliveries for \(events.count) events, expected \(expected): \(channels)")
                }
                if arrived >= expected || ContinuousClock.now >= deadline { return (byId, arrivals) }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
