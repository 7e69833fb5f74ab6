import AMQP
import Contracts
import Foundation
import Glibc
import Images
import Messaging
import Postgres
import RolloutCore
import ShipboardTestSupport
import Testing

/// shipboard-rollout replicas as separate processes over the real servers (the fault broker,
/// held exclusively, with no older `rollout.*` queues), a DML download server holding the
/// test's image, and the test's side of the broker: requests to the replicas and every
/// `rollout.*` event they publish.
final class RolloutProcessHarness: @unchecked Sendable {
    let folder: String
    let amqpURL: String
    let owner: PostgresPool
    let client: AMQPClient
    let clientTask: Task<Void, Never>
    let requests: RequestClient
    let events: AMQPConsumer
    var replicas: [String: Process] = [:]
    var dmlURL = ""

    private init(folder: String, amqpURL: String, owner: PostgresPool, client: AMQPClient, clientTask: Task<Void, Never>, events: AMQPConsumer) {
        self.folder = folder
        self.amqpURL = amqpURL
        self.owner = owner
        self.client = client
        self.clientTask = clientTask
        self.requests = RequestClient(amqp: client)
        self.events = events
    }

    /// Prepares the servers and a folder, runs `body`, then kills every replica left.
    /// `database`: where the test's rows live (default: the test database); replicas given
    /// another must be launched with its service URL as `SHIPBOARD_DATABASE_URL`. `amqpURL`:
    /// the broker of the replicas and the test (default: the fault broker).
    static func run(
        database: PostgresConfiguration? = nil, amqpURL: String? = nil, _ body: (RolloutProcessHarness) async throws -> Void
    ) async throws {
        try await FaultBroker.exclusively {
            let amqpURL = try amqpURL ?? TestSettings.value("SHIPBOARD_TEST_FAULT_AMQP_URL")
            let setup = try await AMQPConnection.connect(AMQPConfiguration(url: amqpURL))
            for queue in ["rollout.commands", "rollout.events", "rollout.deploy.default", "rollout.deploy.east", "rollout.deploy.west"] {
                try? await setup.deleteQueue(queue)
                try? await setup.deleteQueue(queue + ".dead")
            }
            // The exchanges operators pre-create (the services declare only their queues); a
            // fault broker restarted by an earlier test was seen without them.
            try await setup.declare(AMQPTopology(exchanges: MessagingTopology.exchanges))
            await setup.close()
            let database = try database ?? PostgresConfiguration(url: TestSettings.value("SHIPBOARD_TEST_DATABASE_URL"))
            try await MigrationGate.shared.ensureMigrated(database)
            try await DriverImages.withFolder { folder in
                let owner = PostgresPool(configuration: database, maxConnections: 2)
                // Rollouts an earlier, failed test left running would be coordinated by this test's replicas.
                _ = try await owner.query(
                    "UPDATE rollout.rollouts SET state = 'aborted', finished_at = now() WHERE state NOT IN ('completed', 'backed_out', 'aborted')")
                let client = AMQPClient(configuration: try AMQPConfiguration(url: amqpURL))
                let clientTask = Task { await client.run() }
                // Connected before declaring: a loaded fresh-clone run took longer than the
                // declaration's own 10 s wait ("AMQP connection is not available").
                _ = try await client.currentConnection(timeout: .seconds(60))
                let observer = "test.rollout-events.\(UUID().uuidString.prefix(8))"
                try await client.declare(AMQPTopology(
                    queues: [.init(name: observer, durable: false, exclusive: false, autoDelete: true)],
                    bindings: [.init(queue: observer, exchange: Exchanges.events, routingKey: "rollout.#")]))
                let events = try await client.consume(queue: observer, prefetch: 500)
                let harness = RolloutProcessHarness(
                    folder: folder, amqpURL: amqpURL, owner: owner, client: client, clientTask: clientTask, events: events)
                defer {
                    for process in harness.replicas.values where process.isRunning { kill(process.processIdentifier, SIGKILL) }
                    clientTask.cancel()
                }
                try await body(harness)
                await harness.requests.close()
                await owner.close()
            }
        }
    }

    /// Starts replica `name` with the `local` driver (unless `settings` say otherwise).
    func launch(_ name: String, settings: [String: String] = [:]) throws {
        var all = [
            "SHIPBOARD_ROLLOUT_REPLICA": name, "SHIPBOARD_ROLLOUT_DRIVER": "local",
            "SHIPBOARD_ROLLOUT_TARGETS_ROOT": folder + "/targets", "SHIPBOARD_ROLLOUT_STAGING_ROOT": folder + "/staging-\(name)",
            "SHIPBOARD_ROLLOUT_CACHE": folder + "/cache-\(name)", "SHIPBOARD_DML_URL": dmlURL,
            "SHIPBOARD_DML_TOKEN": DMLFetchServer.token, "SHIPBOARD_ROLLOUT_LEASE_SECONDS": "3",
            "SHIPBOARD_SCRIPT_TIMEOUT_SECONDS": "20",
        ]
        all.merge(settings) { _, new in new }
        replicas[name] = try ServiceProcess.launch("shipboard-rollout", amqpURL: amqpURL, settings: all, log: folder + "/\(name).log")
    }

    func kill9(_ name: String) {
        guard let process = replicas[name], process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends `command` until a replica answers (the first may still be starting).
    func send<Command: CommandContract>(_ command: Command, releaseKey: String, actor: String = "rita") async throws -> Command.Result {
        let envelope = Envelope(command, correlationId: releaseKey, actor: actor)
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let answer: Result<Command.Result, CommandError>
            do {
                answer = .success(try await requests.send(envelope, timeout: .seconds(5)))
            } catch {
                answer = .failure(error)
            }
            switch answer {
            case .success(let result):
                return result
            case .failure(let error):
                guard error.kind == .unavailable || error.kind == .timeout, ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(300))
            }
        }
    }

    /// The rollout's state and its targets' states as stored.
    func states(of releaseKey: String) async throws -> (rollout: String, targets: [String: String]) {
        let rollout = try await owner.query(
            "SELECT id, state FROM rollout.rollouts WHERE release_key = \(releaseKey) ORDER BY planned_at DESC LIMIT 1"
        ).single()
        let (id, state) = try rollout.decode((UUID, String).self)
        var targets: [String: String] = [:]
        for row in try await owner.query("SELECT task_key, state FROM rollout.targets WHERE rollout_id = \(id)") {
            let (key, targetState) = try row.decode((String, String).self)
            targets[key] = targetState
        }
        return (state, targets)
    }

    /// Waits until the rollout is in one of `states` (or fails after `limit`).
    func waitFor(_ releaseKey: String, states: Set<String>, limit: Duration = .seconds(120)) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let state = try? await self.states(of: releaseKey).rollout, states.contains(state) { return state }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the rollout of \(releaseKey) never reached \(states.sorted()); it is \((try? await self.states(of: releaseKey).rollout) ?? "absent")")
        throw CancellationError()
    }

    /// Waits until no target of the rollout is pending or running (or fails after `limit`).
    func waitUntilSettled(_ releaseKey: String, limit: Duration = .seconds(60)) async throws -> (rollout: String, targets: [String: String]) {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let states = try? await self.states(of: releaseKey), !states.targets.isEmpty,
               !states.targets.values.contains(where: { $0 == "pending" || $0 == "running" }) {
                return states
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the targets of \(releaseKey) never settled")
        throw CancellationError()
    }

    /// Every `rollout.*` event of `releaseKey` until `until` holds of the types seen so far.
    func receive(of releaseKey: String, until: @escaping @Sendable ([String]) -> Bool) async throws -> [String] {
        let events = self.events
        return try await ServiceProcess.within(.seconds(120)) {
            var seen: [String] = []
            for try await delivery in events {
                let header = try ContractCoding.decode(EnvelopeHeader.self, from: delivery.body)
                if header.correlationId == releaseKey { seen.append(header.type) }
                try await delivery.ack()
                if until(seen) { break }
            }
            return seen
        }
    }
}
