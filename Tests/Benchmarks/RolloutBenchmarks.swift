import AMQP
import Contracts
import Foundation
import Messaging
import Postgres

/// Targets completed per second by `shipboard-rollout` replicas running as separate processes
/// (release build) with the `simulated` driver: a release with N server CIs at 4 sites is
/// planned (site waves, window 1,000) and started through request/reply, and the rollout runs
/// until its row says `completed`, with 1, 2 and 4 replicas, at 0 ms and at 200 ms per deploy.
///
/// - The rate is N over the rollout's own `started_at` → `finished_at` (database clock); the
///   steady rate is the middle 80% of targets over the time between the 10th and 90th
///   percentile of their `succeeded_at`.
/// - Each replica's resident set is read from `/proc/PID/status` every 250 ms through the run
///   (start, peak, end, and `VmHWM` at the end), with its CPU time and that of every
///   `postgres` and `beam.smp` process on the machine, to show where the cores went.
/// - Printed beside `pgbench -N` and the raw AMQP consume rate measured in the same run.
enum RolloutBenchmarks {
    struct Measured {
        let latencyMilliseconds: Int
        let replicas: Int
        let targets: Int
        let perSecond: Double
        let steadyPerSecond: Double
        let planSeconds: Double
        let memory: [RolloutReplicas.Memory]
        let replicaCPU: [Double]
        let postgresCPU: Double
        let brokerCPU: Double
        let wallSeconds: Double
    }

    /// Queues on the vhost that the replicas' events and commands land in without a consumer
    /// while the benchmark runs (planning's and testing's).
    static let litterQueues = ["planning.events", "testing.commands"]

    static func run(
        databaseURL: String, amqpURL: String, migrations: String, targets: Int, slowTargets: Int, replicaCounts: [Int],
        pgbenchSimpleUpdate: Double?, rawTransport: Double?
    ) async throws -> [BenchmarkRow] {
        let database = try PostgresConfiguration(url: databaseURL)
        _ = try await PostgresMigrator(directory: URL(fileURLWithPath: migrations)).migrate(configuration: database)
        let owner = PostgresPool(configuration: database, maxConnections: 2)
        // Idle through whole runs: no heartbeats, so the broker keeps it open between calls.
        var adminConfiguration = try AMQPConfiguration(url: amqpURL)
        adminConfiguration.heartbeat = 0
        let admin = try await AMQPConnection.connect(adminConfiguration)
        if let commands = try? await admin.queueCounts("rollout.commands"), commands.consumers > 0 {
            await admin.close()
            throw BenchmarkError("\(commands.consumers) shipboard-rollout replica(s) already consume rollout.commands on this vhost: stop them first")
        }
        // Jobs a crashed earlier run left for the benchmark's pool.
        try? await admin.deleteQueue("rollout.deploy.bench")
        var litterBefore: [String: (messages: Int, consumers: Int)] = [:]
        for queue in litterQueues { litterBefore[queue] = try? await admin.queueCounts(queue) }
        let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL))
        let clientTask = Task { await client.run() }
        let requests = RequestClient(amqp: client)
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("shipboard-bench-rollout-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let settings = [
            "SHIPBOARD_DATABASE_URL": databaseURL, "SHIPBOARD_AMQP_URL": amqpURL, "SHIPBOARD_MIGRATIONS_DIR": migrations,
            "SHIPBOARD_HTTP_PORT": "0", "SHIPBOARD_LOG_LEVEL": "warning", "SHIPBOARD_ROLLOUT_DRIVER": "simulated",
            "SHIPBOARD_ROLLOUT_POOL": "bench",
            "SHIPBOARD_ROLLOUT_TARGETS_ROOT": logs + "/targets", "SHIPBOARD_ROLLOUT_STAGING_ROOT": logs + "/staging",
            "SHIPBOARD_ROLLOUT_CACHE": logs + "/cache",
        ]
        var measured: [Measured] = []
        do {
            for (latency, count) in [(0, targets), (200, slowTargets)] {
                for replicas in replicaCounts {
                    var settings = settings
                    settings["SHIPBOARD_ROLLOUT_CONCURRENCY"] = "\(concurrency(latency: latency))"
                    let result = try await measure(
                        targets: count, replicas: replicas, latency: latency, settings: settings, logs: logs, owner: owner, admin: admin,
                        requests: requests)
                    print(describe(result))
                    measured.append(result)
                    // Let autovacuum and the WAL writer settle between runs.
                    try await Task.sleep(for: .seconds(3))
                }
            }
        } catch {
            print("rollout benchmark failed; replica logs in \(logs)")
            await requests.close()
            clientTask.cancel()
            await admin.close()
            await owner.close()
            throw error
        }
        await requests.close()
        clientTask.cancel()
        await clearLitter(admin, before: litterBefore)
        await admin.close()
        // The replicas' logs are kept only when a run failed.
        try? FileManager.default.removeItem(atPath: logs)
        await owner.close()
        return rows(measured, targets: targets, slowTargets: slowTargets, pgbench: pgbenchSimpleUpdate, rawTransport: rawTransport)
    }

    /// Deploys at once per replica. At 0 ms many jobs in hand make the claims and records
    /// large batches. At 200 ms the default (32): 4 replicas then hold 128 deploys at once, well
    /// inside the window of 1,000 and inside what the machine's database sustains at 0 ms, so
    /// the ratio of 4 to 1 replicas measures how replicas scale, not where the 2 cores end.
    static func concurrency(latency: Int) -> Int { latency == 0 ? 256 : 32 }

    /// One rollout of `targets` targets by `replicas` fresh replicas at `latency` ms per deploy.
    static func measure(
        targets: Int, replicas count: Int, latency: Int, settings: [String: String], logs: String, owner: PostgresPool,
        admin: AMQPConnection, requests: RequestClient
    ) async throws -> Measured {
        let release = RolloutBenchRelease(servers: targets, sites: 4)
        try await release.insert(owner: owner)
        var replicaSettings = settings
        replicaSettings["SHIPBOARD_ROLLOUT_SIMULATED_LATENCY"] = "fixed:\(latency)ms"
        replicaSettings["SHIPBOARD_ROLLOUT_SITES"] = release.sites.joined(separator: ",")
        let replicas = try RolloutReplicas(
            count: count, prefix: "bench-\(latency)ms-\(count)x-\(release.releaseKey.lowercased())", settings: replicaSettings,
            logFolder: logs)
        defer { replicas.stop() }
        try await waitForWorkers(replicas, owner: owner, admin: admin)

        let definition = RolloutDefinition(
            sources: [release.source], targets: RolloutTargetSelection(sites: release.sites), siteOrder: release.sites, window: 1_000)
        let planStarted = ContinuousClock.now
        _ = try await send(RequestRolloutPlan(releaseKey: release.releaseKey, definition: definition), release.releaseKey, requests)
        let planSeconds = seconds(ContinuousClock.now - planStarted)

        try replicas.markStart()
        let postgresBefore = MachineCPU.sample(command: "postgres")
        let brokerBefore = MachineCPU.sample(command: "beam.smp")
        let started = ContinuousClock.now
        let control = try await send(RequestRolloutStart(releaseKey: release.releaseKey), release.releaseKey, requests)
        guard let id = UUID(uuidString: control.rolloutId) else { throw BenchmarkError("the start answered no rollout id") }
        var lastSample = ContinuousClock.now
        let deadline = started + .seconds(600)
        while true {
            let state = try await owner.query("SELECT state FROM rollout.rollouts WHERE id = \(id)").single().decode(at: 0, as: String.self)
            if state == "completed" { break }
            guard ["running", "planned"].contains(state) else { throw BenchmarkError("the rollout of \(release.releaseKey) ended \(state)") }
            guard ContinuousClock.now < deadline else { throw BenchmarkError("the rollout of \(release.releaseKey) ran for 600 s") }
            guard replicas.allRunning else { throw BenchmarkError("a replica exited during the run (logs in \(logs))") }
            if ContinuousClock.now - lastSample >= .milliseconds(250) {
                try replicas.sample()
                lastSample = ContinuousClock.now
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let wall = seconds(ContinuousClock.now - started)
        let replicaCPU = try replicas.markEnd()
        let postgresCPU = MachineCPU.seconds(since: postgresBefore)
        let brokerCPU = MachineCPU.seconds(since: brokerBefore)

        let (elapsed, middle, succeeded) = try await owner.query(
            """
            SELECT extract(epoch FROM r.finished_at - r.started_at)::float8,
                   extract(epoch FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY t.succeeded_at)
                                      - percentile_disc(0.1) WITHIN GROUP (ORDER BY t.succeeded_at))::float8,
                   count(*) FILTER (WHERE t.state = 'succeeded')
            FROM rollout.rollouts r JOIN rollout.targets t ON t.rollout_id = r.id
            WHERE r.id = \(id) GROUP BY r.finished_at, r.started_at
            """).single().decode((Double, Double, Int64).self)
        guard succeeded == targets else { throw BenchmarkError("\(succeeded) of \(targets) targets succeeded") }
        return Measured(
            latencyMilliseconds: latency, replicas: count, targets: targets, perSecond: Double(targets) / elapsed,
            steadyPerSecond: middle > 0 ? 0.8 * Double(targets) / middle : 0, planSeconds: planSeconds, memory: replicas.memory,
            replicaCPU: replicaCPU, postgresCPU: postgresCPU, brokerCPU: brokerCPU, wallSeconds: wall)
    }

    /// Waits until every replica has registered its worker (its deploy consumer is up) and
    /// consumes `rollout.commands`.
    static func waitForWorkers(_ replicas: RolloutReplicas, owner: PostgresPool, admin: AMQPConnection) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard replicas.allRunning else { throw BenchmarkError("a replica exited at start-up") }
            let registered = try await owner.query(
                "SELECT count(*) FROM rollout.workers WHERE replica = ANY(\(bind: PostgresArrayBind.texts(replicas.names)))"
            ).single().decode(at: 0, as: Int64.self)
            let commands = (try? await admin.queueCounts("rollout.commands"))?.consumers ?? 0
            if registered == replicas.names.count && commands == replicas.names.count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("the replicas did not register within 60 s")
    }

    /// Sends `command` to the replicas (they consume `rollout.commands` by now).
    static func send<Command: CommandContract>(_ command: Command, _ releaseKey: String, _ requests: RequestClient) async throws -> Command.Result {
        try await requests.send(Envelope(command, correlationId: releaseKey, actor: "bench-rita"), timeout: .seconds(120))
    }

    /// Deletes the queues the benchmark's rollouts filled when nothing consumed them and they
    /// were empty or absent before (the service that owns one declares it again when it starts);
    /// otherwise says what it left.
    static func clearLitter(_ admin: AMQPConnection, before: [String: (messages: Int, consumers: Int)]) async {
        for queue in litterQueues {
            guard let now = try? await admin.queueCounts(queue), now.messages > 0 else { continue }
            // Absent before: the replicas declared it, and all it holds is theirs.
            let earlier = before[queue] ?? (0, 0)
            if earlier.messages == 0, earlier.consumers == 0, now.consumers == 0 {
                try? await admin.deleteQueue(queue)
            } else {
                print("rollout benchmark: \(queue) holds \(now.messages) message(s) (it had \(before[queue]?.messages ?? 0) before)")
            }
        }
    }

    static func describe(_ run: Measured) -> String {
        func mebibytes(_ kib: Int) -> String { String(format: "%.1f", Double(kib) / 1024) }
        let memory = zip(run.memory, run.replicaCPU).enumerated().map { index, pair in
            let (memory, cpu) = pair
            return "r\(index + 1) \(mebibytes(memory.startKiB))/\(mebibytes(memory.peakKiB))/\(mebibytes(memory.endKiB)) MiB"
                + " (VmHWM \(mebibytes(memory.highWaterKiB))), CPU \(String(format: "%.1f", cpu)) s"
        }.joined(separator: "; ")
        return String(
            format: "rollout %d ms, %d replica(s) (concurrency %d): %d targets in %.2f s = %.0f targets/s (steady %.0f/s), plan %.2f s; "
                + "CPU: replicas %.1f s, postgres %.1f s, rabbitmq %.1f s over %.1f s wall; RSS start/peak/end: ",
            run.latencyMilliseconds, run.replicas, concurrency(latency: run.latencyMilliseconds), run.targets, Double(run.targets) / run.perSecond, run.perSecond, run.steadyPerSecond,
            run.planSeconds, run.replicaCPU.reduce(0, +), run.postgresCPU, run.brokerCPU, run.wallSeconds) + memory
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
