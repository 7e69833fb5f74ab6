import AMQP
import Contracts
import Foundation
import Messaging
import PlanningCore
import Postgres

/// Release commands end to end through request/reply: RequestClient → broker → ConsumerRunner
/// with the planning handlers (lock, rules, save, audit, outbox, inbox) → reply.
enum PlanningCommandBenchmarks {
    static func run(databaseURL: String, amqpURL: String, migrations: String, commands: Int, rawTransport: Double) async throws -> [BenchmarkRow] {
        let database = try PostgresConfiguration(url: databaseURL)
        _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations)).migrate(configuration: database)
        let schema = "bench_plan_\(UUID().uuidString.prefix(8).lowercased())"
        let pool = PostgresPool(configuration: database, maxConnections: 10)
        try await pool.query("SELECT public.shipboard_create_planning_schema(\(schema))")
        let queue = "bench.\(schema)"
        // A commands exchange of its own: a shipboard-planning running on the same vhost
        // (started by up.sh) must not answer the benchmark's commands.
        let exchange = "bench.commands.\(schema)"
        var topology = AMQPTopology(exchanges: MessagingTopology.exchanges + [.init(name: exchange, kind: .topic, durable: false)])
        topology.merge(MessagingTopology.workQueue(queue, bindings: [(exchange, "planning.#")]))
        let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL), topology: topology)
        let clientTask = Task { await client.run() }
        _ = try await client.currentConnection(timeout: .seconds(30))
        let runner = ConsumerRunner(
            queue: queue, schema: schema, handlers: PlanningCommandHandlers(schema: schema, auditKeys: .random()).handlers(), pool: pool,
            amqp: client, prefetch: 100, concurrency: 8)
        let runnerTask = Task { try await runner.run() }
        let requests = RequestClient(amqp: client, exchange: exchange)

        // Submitting checks every gate's group has an eligible member (GatePolicy); approvers
        // are never parties to the releases (alice requests, carol coordinates).
        let approvers = ["dave", "erin", "frank", "grace"]
        for approver in approvers {
            _ = try await requests.send(
                Envelope(AddApprover(group: "release-approvers", member: approver), correlationId: "bench-config", actor: "admin"),
                timeout: .seconds(30))
        }
        let seeded = try await seedReleases(schema: schema, pool: pool, requests: requests, count: 100_000)

        // 16 senders in 4 groups of 4. Each round of a sender: create a release, submit it,
        // then approve and advance (`expectedPhase: .initiate`) the group's release of the
        // round (the first submitted in it) — the 4 senders of a group race on that release,
        // so most approvals and advances are refused (already approved, not yet approved, stale
        // view): expected answers, counted apart. Each create has a correlation id of its own, as the gateway
        // gives every new release; the other commands carry the release key.
        let senders = 16
        let groupSize = 4
        let perSender = max(1, commands / senders / 4)
        let groups = (0..<(senders / groupSize)).map { _ in GroupReleases() }
        let latencies = LatencyRecorder()
        let outcomes = CommandOutcomes()
        func timed<C: CommandContract>(_ envelope: Envelope<C>) async throws -> C.Result? {
            let started = ContinuousClock.now
            do {
                let result = try await requests.send(envelope, timeout: .seconds(30))
                await latencies.add(seconds: seconds(ContinuousClock.now - started))
                await outcomes.accepted()
                return result
            } catch {
                guard [.conflict, .validation, .forbidden].contains(error.kind) else { throw error }
                await latencies.add(seconds: seconds(ContinuousClock.now - started))
                await outcomes.refused(error.rule ?? error.kind.rawValue)
                return nil
            }
        }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                let shared = groups[sender / groupSize]
                let approver = approvers[sender % groupSize]
                group.addTask {
                    for index in 0..<perSender {
                        guard let created = try await timed(Envelope(
                            CreateRelease(title: "Bench \(sender)-\(index)", requester: "alice", coordinator: "carol"),
                            correlationId: "bench-\(sender)-\(index)", actor: "alice"))
                        else { throw BenchmarkError("a create was refused") }
                        let key = created.releaseKey
                        _ = try await timed(Envelope(SubmitRelease(releaseKey: key), correlationId: key, actor: "alice"))
                        let target = await shared.target(round: index, candidate: key)
                        _ = try await timed(Envelope(
                            ApproveRelease(releaseKey: target, expectedPhase: .initiate), correlationId: target, actor: approver))
                        _ = try await timed(Envelope(
                            AdvanceRelease(releaseKey: target, expectedPhase: .initiate), correlationId: target, actor: "carol"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = seconds(ContinuousClock.now - started)
        let answered = await latencies.count
        let perSecond = Double(answered) / elapsed
        let (p50, p95, p99) = (
            await latencies.milliseconds(atPercentile: 50), await latencies.milliseconds(atPercentile: 95),
            await latencies.milliseconds(atPercentile: 99))
        let releases = try await pool.query("SELECT count(*)::int FROM \(identifier: schema).releases").single().decode(at: 0, as: Int.self)
        print("release-commands: \(answered) answered in \(String(format: "%.1f", elapsed)) s on \(releases) releases "
              + "(\(seeded) seeded); \(await outcomes.summary)")
        await requests.close()
        runnerTask.cancel()
        _ = await runnerTask.result
        if let connection = try? await client.currentConnection(timeout: .seconds(10)) {
            try? await connection.deleteQueue(queue)
            try? await connection.deleteExchange(exchange)
        }
        clientTask.cancel()
        _ = await clientTask.value
        try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        await pool.close()
        return [
            BenchmarkRow(name: "release command mix, 100k releases", value: perSecond, unit: "cmd/s",
                         baselineName: "raw AMQP consume+ack (F1)", baseline: rawTransport, target: 500),
            BenchmarkRow(name: "release command mix, p50", value: p50, unit: "ms", baselineName: "", baseline: nil, target: nil),
            BenchmarkRow(name: "release command mix, p95", value: p95, unit: "ms", baselineName: "", baseline: nil, target: nil),
            BenchmarkRow(name: "release command mix, p99", value: p99, unit: "ms", baselineName: "", baseline: nil,
                         target: 50, targetIsMaximum: true),
        ]
    }

    /// Fills the schema with `count` releases in one set-based INSERT: copies of a release
    /// created through the command path (so every column and the lifecycle state are what
    /// planning writes), each with a key of its own in its row and in its state, then moves
    /// the key sequence past them. No audit rows: the benchmark never touches these releases.
    private static func seedReleases(schema: String, pool: PostgresPool, requests: RequestClient, count: Int) async throws -> Int {
        let template = try await requests.send(
            Envelope(CreateRelease(title: "Seed", requester: "alice", coordinator: "carol"), correlationId: "bench-seed", actor: "alice"),
            timeout: .seconds(30)).releaseKey
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).releases (
                key, title, description, type, impact, urgency, priority, risk, justification, requester, coordinator,
                scheduled_start, scheduled_end, target_date, template, job_plan_name, phase, status, state, version)
            SELECT k.key, t.title || ' ' || g, t.description, t.type, t.impact, t.urgency, t.priority, t.risk, t.justification,
                   t.requester, t.coordinator, t.scheduled_start, t.scheduled_end, t.target_date, t.template, t.job_plan_name,
                   t.phase, t.status, jsonb_set(t.state, '{key}', to_jsonb(k.key)), t.version
            FROM \(identifier: schema).releases t
            CROSS JOIN generate_series(1, \(count)::int) AS g
            CROSS JOIN LATERAL (SELECT 'REL-' || lpad((substr(t.key, 5)::bigint + g)::text, 6, '0') AS key) AS k
            WHERE t.key = \(template)
            """)
        try await pool.query(
            "SELECT setval(\(ReleaseKeys.sequence(schema: schema))::regclass, substr(\(template)::text, 5)::bigint + \(count)::int)")
        try await pool.query("VACUUM ANALYZE \(identifier: schema).releases")
        return count
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The release the senders of one group all approve and advance in each round: the first
/// one submitted in that round.
private actor GroupReleases {
    private var byRound: [Int: String] = [:]
    func target(round: Int, candidate: String) -> String {
        if let key = byRound[round] { return key }
        byRound[round] = candidate
        return candidate
    }
}

/// Accepted commands and refusals by rule.
private actor CommandOutcomes {
    private var acceptedCount = 0
    private var refusals: [String: Int] = [:]
    func accepted() { acceptedCount += 1 }
    func refused(_ rule: String) { refusals[rule, default: 0] += 1 }
    var summary: String {
        let refused = refusals.values.reduce(0, +)
        let rules = refusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "\(acceptedCount) accepted, \(refused) refused as expected under contention (\(rules))"
    }
}
